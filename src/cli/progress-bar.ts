/*
 * A progress bar on stderr, so stdout stays clean for results. On a terminal it redraws
 * one line; elsewhere (CI logs, pipes) it prints a line whenever the stage changes.
 */

export interface ProgressBar {
  update(stage: string, done: number, total: number): void;
  finish(): void;
}

const WIDTH = 30;

export function createProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = performance.now();
  let lastDraw = 0;
  let lastStage = '';
  let drawn = false;
  return {
    update(stage, done, total) {
      const now = performance.now();
      const seconds = ((now - started) / 1000).toFixed(1);
      if (!stream.isTTY) {
        if (stage !== lastStage) stream.write(`${label}: ${stage} (${seconds}s)\n`);
        lastStage = stage;
        return;
      }
      if (now - lastDraw < 100 && stage === lastStage) return;
      lastDraw = now;
      lastStage = stage;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * WIDTH);
      const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
      stream.write(`\r${label} ${bar} ${Math.floor(ratio * 100)}% ${stage.padEnd(12)} ${seconds}s`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}
