import { runCommand } from './program.js';

// A command that succeeded ends when its work is done (or, for `serve`, on a signal).
const code = await runCommand(process.argv.slice(2));
if (code !== 0) process.exit(code);
