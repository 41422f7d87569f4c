import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has working defaults: embedded database in ./data, port 4000 on loopback', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 4000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      DB_POOL_MAX: 10,
      SHUTDOWN_TIMEOUT_MS: 10000,
      COOKIE_SECURE: false,
      IMKIT_PREFIX: '',
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('reads and converts the environment; an empty variable counts as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgresql://app:secret@db:5432/chat',
      DB_POOL_MAX: '25',
      COOKIE_SECURE: '1',
      VIROLA_PREFIX: '/virola',
      LOG_LEVEL: '',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      DATABASE_URL: 'postgresql://app:secret@db:5432/chat',
      DB_POOL_MAX: 25,
      COOKIE_SECURE: true,
      VIROLA_PREFIX: '/virola',
      LOG_LEVEL: 'info',
    });
  });

  it('names every bad variable in one ConfigError', () => {
    const attempt = () =>
      loadConfig({
        PORT: '70000',
        DATABASE_URL: 'mysql://root@localhost/chat',
        LOG_LEVEL: 'loud',
        REDIS_URL: 'localhost:6379',
        IMKIT_PREFIX: 'imkit/',
      });
    expect(attempt).toThrow(ConfigError);
    let message = '';
    try {
      attempt();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration: /);
    for (const variable of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'REDIS_URL', 'IMKIT_PREFIX']) {
      expect(message).toContain(`${variable}: `);
    }
    expect(message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    expect(message).not.toContain('\n');
  });

  it('rejects numbers that are not numbers or out of range', () => {
    expect(() => loadConfig({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => loadConfig({ DB_POOL_MAX: '0' })).toThrow(/DB_POOL_MAX/);
    expect(() => loadConfig({ TOKEN_TTL_SECONDS: '5' })).toThrow(/TOKEN_TTL_SECONDS/);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '-1' })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
  });
});
