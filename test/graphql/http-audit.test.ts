import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type StartedApp, startInProcessApp } from '../support/in-process-app.js';

/*
 * graphql-http's audit suite (the GraphQL over HTTP spec's MUST and SHOULD checks) against
 * the app's /graphql, in-process: every audit passes, warnings included.
 */

let h: StartedApp;
beforeAll(async () => {
  h = await startInProcessApp();
});
afterAll(() => h.close());

const audits = serverAudits({
  url: 'http://chat-bff.test/graphql',
  fetchFn: (input: RequestInfo | URL, init?: RequestInit) => h.fetch(new Request(input, init)),
});

describe('GraphQL over HTTP (graphql-http audits)', () => {
  test.each(audits.map((audit) => [audit.name, audit] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    expect(result.status, 'reason' in result ? result.reason : '').toBe('ok');
  });
});
