import { describe, expect, it } from 'vitest';
import {
  FIXTURE_SOURCES,
  SEEDS_DIR,
  fixture,
  seedExamples,
  seedsAvailable,
} from './support/seed-examples.js';

/*
 * The checked-in fixtures are verbatim copies of the seed documents' examples. The
 * documents sit beside the repository (../shared/seeds); where they are not checked out,
 * each case is skipped and says so, instead of vanishing from the report.
 */
const missing = seedsAvailable() ? null : `the seed documents are not at ${SEEDS_DIR}`;
if (missing) console.warn(`seed-fixtures.test.ts: skipped, ${missing}`);

describe('seed example fixtures', () => {
  it.for(Object.entries(FIXTURE_SOURCES))(
    '%s equals its example in the seed document',
    ([name, { seed, index }], { skip }) => {
      if (missing) skip(missing);
      expect(fixture(name)).toEqual(seedExamples(seed)[index]);
    },
  );
});
