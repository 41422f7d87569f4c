import { describe, expect, it } from 'vitest';
import { FIXTURE_SOURCES, fixture, seedExamples, seedsAvailable } from './support/seed-examples.js';

/* The checked-in fixtures are verbatim copies of the seed documents' examples. */
describe.runIf(seedsAvailable())('seed example fixtures', () => {
  it.each(Object.entries(FIXTURE_SOURCES))(
    '%s equals its example in the seed document',
    (name, { seed, index }) => {
      expect(fixture(name)).toEqual(seedExamples(seed)[index]);
    },
  );
});
