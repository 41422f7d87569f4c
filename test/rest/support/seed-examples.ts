import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The documented example bodies. The seed documents (../shared/seeds beside the repo)
 * are the contract; fixtures/ holds their JSON examples copied verbatim, so the tests
 * also run where the documents are not checked out, and seed-fixtures.test.ts fails
 * when a copy drifts from its document.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = resolve(here, '..', 'fixtures');
export const SEEDS_DIR = resolve(here, '..', '..', '..', '..', 'shared', 'seeds');

export function seedsAvailable(): boolean {
  return existsSync(SEEDS_DIR);
}

/** Every top-level JSON object in a text, in order (the documents' examples). */
export function extractJsonObjects(text: string): unknown[] {
  const found: unknown[] = [];
  let i = 0;
  while ((i = text.indexOf('{', i)) !== -1) {
    const end = balancedEnd(text, i);
    if (end !== -1) {
      try {
        found.push(JSON.parse(text.slice(i, end + 1)));
        i = end + 1;
        continue;
      } catch {
        // not JSON (prose with a brace): move on
      }
    }
    i += 1;
  }
  return found;
}

function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

export function seedExamples(file: string): unknown[] {
  return extractJsonObjects(readFileSync(join(SEEDS_DIR, file), 'utf8'));
}

/** Which example of which seed document each fixture is. */
export const FIXTURE_SOURCES: Record<string, { seed: string; index: number }> = {
  'imkit-rooms.json': { seed: '000_133dd4d1c0efd192.txt', index: 1 },
  'imkit-room.json': { seed: '001_b02110ce34b58808.txt', index: 0 },
  'imkit-room-404.json': { seed: '001_b02110ce34b58808.txt', index: 1 },
  'imkit-messages.json': { seed: '003_c7761a12c5e07290.txt', index: 0 },
  'imkit-messages-401.json': { seed: '003_c7761a12c5e07290.txt', index: 1 },
  'imkit-messages-403.json': { seed: '003_c7761a12c5e07290.txt', index: 2 },
  'imkit-messages-404.json': { seed: '003_c7761a12c5e07290.txt', index: 3 },
  'rocketchat-rooms-get.json': { seed: '002_a26828de831eae8e.txt', index: 0 },
  'virola-rooms.json': { seed: '004_ecfa9b83e9783e76.txt', index: 0 },
  'virola-error.json': { seed: '004_ecfa9b83e9783e76.txt', index: 1 },
};

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name), 'utf8')) as T;
}
