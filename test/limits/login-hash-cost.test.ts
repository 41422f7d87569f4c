import * as argon2 from '@node-rs/argon2';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, type FetchHandler } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createUser } from '../../src/domain/users/user.service.js';
import { setPeerAddress } from '../../src/limits/client-address.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/factories.js';

/*
 * A login for a user who does not exist costs the same argon2 verification as a wrong
 * password for one who does (so the time does not tell which), and a refused attempt
 * (429) costs none. Counted through a spy on argon2's verify, not timed.
 */

vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof argon2>();
  return { ...real, verify: vi.fn(real.verify) };
});

const verify = vi.mocked(argon2.verify);
let database: TestDatabase;
let tenant: TestApp;
let app: FetchHandler;

beforeAll(async () => {
  database = await createTestDatabase();
  tenant = await createTestApp(database.db);
  await createUser(database.db, tenant.appId, 'known', { password: 'right-password' });
  await createUser(database.db, tenant.appId, 'no-password');
  app = createApp({
    db: database.db,
    config: loadConfig({ DATA_DIR: ':memory:' }),
    log: createLogger('silent'),
  });
});
afterAll(() => database?.close());
beforeEach(() => {
  verify.mockClear();
});

let address = 0;
function login(
  dialect: 'rocketchat' | 'virola',
  user: string,
  password: string,
  appId = tenant.appId,
): Promise<Response> {
  const request = new Request('http://chat.test/api/v1/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-app-id': appId },
    body: JSON.stringify(dialect === 'rocketchat' ? { user, password } : { userName: user, password }),
  });
  setPeerAddress(request, `198.51.100.${++address}`);
  return app(request);
}

describe.each(['rocketchat', 'virola'] as const)('%s login', (dialect) => {
  it('verifies one argon2 hash for an unknown user, as for a known one with a wrong password', async () => {
    expect((await login(dialect, 'known', 'wrong-password')).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(1);
    const known = verify.mock.calls[0]?.[0];

    expect((await login(dialect, `nobody-${dialect}`, 'wrong-password')).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(2);
    const standIn = verify.mock.calls[1]?.[0];
    // An argon2 hash with the same parameters as a user's (only salt and digest differ).
    expect(typeof standIn).toBe('string');
    const parameters = (hash: unknown) => String(hash).split('$').slice(0, 4).join('$');
    expect(parameters(standIn)).toBe(parameters(known));

    expect((await login(dialect, 'no-password', 'wrong-password')).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(3);

    // An app that does not exist fails like a wrong password, at the same cost.
    expect((await login(dialect, 'known', 'wrong-password', 'no-such-app')).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(4);
  });

  it('verifies nothing once the account is refused', async () => {
    const user = `locked-${dialect}`;
    await createUser(database.db, tenant.appId, user, { password: 'right-password' });
    for (let i = 0; i < 5; i++) await login(dialect, user, `wrong-${i}`);
    verify.mockClear();
    expect((await login(dialect, user, 'right-password')).status).toBe(429);
    expect(verify).not.toHaveBeenCalled();
  });
});
