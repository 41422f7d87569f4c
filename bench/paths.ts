import { fileURLToPath } from 'node:url';

/** The repository root (bench/..), where the CLI lives. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The chat-bff command, run through node like `npm start` does. */
export const CLI = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
