import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  baseConfigSchema,
  booleanFromEnv,
  isSecretName,
  loadConfig,
  portSchema,
  redactConfig,
} from '../src/index.ts';

const DB = 'postgresql://app:s3cret@localhost:5432/tasks';
const repoRoot = join(import.meta.dirname, '../../..');
const tempDirs: string[] = [];

function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mini-config-'));
  tempDirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('when only DATABASE_URL is set, fills every other variable with its default', () => {
    const config = loadConfig(baseConfigSchema, { cwd: tempDir(), env: { DATABASE_URL: DB } });
    expect(config).toEqual({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      DATABASE_URL: DB,
      DATABASE_STATEMENT_TIMEOUT_MS: 5_000,
      DATABASE_QUERY_TIMEOUT_MS: 6_000,
      DATABASE_CONNECT_TIMEOUT_MS: 5_000,
      CORS_ORIGINS: [],
      BODY_LIMIT: '100kb',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      TRUST_PROXY: false,
    });
  });

  it('when values are given, coerces them to numbers, booleans and lists', () => {
    const config = loadConfig(baseConfigSchema, {
      cwd: tempDir(),
      env: {
        DATABASE_URL: DB,
        PORT: '8080',
        TRUST_PROXY: '1',
        CORS_ORIGINS: 'https://a.example.com, http://localhost:5173',
      },
    });
    expect(config.PORT).toBe(8080);
    expect(config.TRUST_PROXY).toBe(true);
    expect(config.CORS_ORIGINS).toEqual(['https://a.example.com', 'http://localhost:5173']);
  });

  it('when a service extends the schema, its own default port applies', () => {
    const schema = baseConfigSchema.extend({
      PORT: portSchema(3002),
      FEATURE_X: booleanFromEnv().default(true),
    });
    const config = loadConfig(schema, { cwd: tempDir(), env: { DATABASE_URL: DB } });
    expect(config.PORT).toBe(3002);
    expect(config.FEATURE_X).toBe(true);
  });

  it('returns a frozen object', () => {
    const config = loadConfig(baseConfigSchema, { cwd: tempDir(), env: { DATABASE_URL: DB } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.CORS_ORIGINS)).toBe(true);
  });

  it('when variables are missing or invalid, the message has exactly one line per bad variable', () => {
    const error = configError(() =>
      loadConfig(baseConfigSchema, { cwd: tempDir(), env: { PORT: 'abc', TRUST_PROXY: 'yes' } }),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration:',
        '  PORT: expected a whole number between 0 and 65535, got "abc"',
        '  DATABASE_URL: required',
        '  TRUST_PROXY: expected true, false, 1 or 0, got "yes"',
      ].join('\n'),
    );
  });

  it('when a port is out of range, names the range and the value', () => {
    const error = configError(() =>
      loadConfig(baseConfigSchema, { cwd: tempDir(), env: { DATABASE_URL: DB, PORT: '70000' } }),
    );
    expect(error.message).toBe(
      'Invalid configuration:\n  PORT: expected a whole number between 0 and 65535, got "70000"',
    );
  });

  it('when a database timeout is not a whole number of milliseconds, or a query timeout is 0, names it', () => {
    const error = configError(() =>
      loadConfig(baseConfigSchema, {
        cwd: tempDir(),
        env: {
          DATABASE_URL: DB,
          DATABASE_STATEMENT_TIMEOUT_MS: '2.5',
          DATABASE_QUERY_TIMEOUT_MS: '0',
          DATABASE_CONNECT_TIMEOUT_MS: '5s',
        },
      }),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration:',
        '  DATABASE_STATEMENT_TIMEOUT_MS: expected a whole number of milliseconds, got "2.5"',
        '  DATABASE_QUERY_TIMEOUT_MS: expected at least 1 millisecond, got "0"',
        '  DATABASE_CONNECT_TIMEOUT_MS: expected a whole number of milliseconds, got "5s"',
      ].join('\n'),
    );
  });

  it('when the statement timeout is 0, keeps it (the server setting applies)', () => {
    const config = loadConfig(baseConfigSchema, {
      cwd: tempDir(),
      env: { DATABASE_URL: DB, DATABASE_STATEMENT_TIMEOUT_MS: '0' },
    });
    expect(config.DATABASE_STATEMENT_TIMEOUT_MS).toBe(0);
  });

  it('when a secret variable is invalid, the message never echoes its value', () => {
    const schema = baseConfigSchema.extend({
      JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }),
    });
    const error = configError(() =>
      loadConfig(schema, {
        cwd: tempDir(),
        env: { DATABASE_URL: 'mysql://root:hunter2@db/app', JWT_SECRET: 'hunter2' },
      }),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration:',
        '  DATABASE_URL: expected a postgres:// or postgresql:// URL',
        '  JWT_SECRET: must be at least 32 characters',
      ].join('\n'),
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('when an empty value is set in a file, treats it as missing', () => {
    const error = configError(() =>
      loadConfig(baseConfigSchema, { cwd: tempDir({ '.env': 'DATABASE_URL=\n' }), env: {} }),
    );
    expect(error.message).toBe('Invalid configuration:\n  DATABASE_URL: required');
  });
});

describe('.env files', () => {
  it('later files win over earlier ones and the real environment wins over all files', () => {
    const cwd = tempDir({
      '.env':
        'DATABASE_URL=postgres://localhost/from-env\nHOST=from-env\nLOG_LEVEL=debug\nBODY_LIMIT=1kb\nPORT=1',
      '.env.test': 'HOST=from-env-test\nBODY_LIMIT=2kb\nPORT=2',
      '.env.local': 'BODY_LIMIT=3kb\nPORT=3',
      '.env.test.local': 'PORT=4',
      '.env.production': 'LOG_LEVEL=error',
    });
    const config = loadConfig(baseConfigSchema, { cwd, env: { NODE_ENV: 'test', PORT: '5' } });
    expect(config.DATABASE_URL).toBe('postgres://localhost/from-env');
    expect(config.LOG_LEVEL).toBe('debug');
    expect(config.HOST).toBe('from-env-test');
    expect(config.BODY_LIMIT).toBe('3kb');
    expect(config.PORT).toBe(5);
  });

  it('when NODE_ENV comes from .env, the matching .env.<NODE_ENV> file is read', () => {
    const cwd = tempDir({
      '.env': `NODE_ENV=production\nDATABASE_URL=${DB}`,
      '.env.production': 'LOG_LEVEL=warn',
    });
    const config = loadConfig(baseConfigSchema, { cwd, env: {} });
    expect(config.NODE_ENV).toBe('production');
    expect(config.LOG_LEVEL).toBe('warn');
  });
});

describe('redactConfig', () => {
  it('replaces secret-looking values and keeps the rest', () => {
    const redacted = redactConfig({ JWT_SECRET: 'x', PORT: 3000, HOST: 'h' });
    expect(redacted).toEqual({ JWT_SECRET: '[redacted]', PORT: 3000, HOST: 'h' });
  });

  it('when a URL carries a password or a query, shows its host and database but not those', () => {
    const redacted = redactConfig({
      DATABASE_URL: 'postgres://auth:s3cret-pw@db.internal:5432/auth?sslpassword=other',
      REDIS_URL: 'not a url s3cret',
    });
    expect(redacted.DATABASE_URL).toBe('postgres://auth:redacted@db.internal:5432/auth?redacted');
    expect(JSON.stringify(redacted)).not.toContain('s3cret');
    expect(redacted.REDIS_URL).toBe('[redacted]');
  });

  it('when a secret-sounding name is a duration or a cost, keeps its value visible', () => {
    const redacted = redactConfig({ ACCESS_TOKEN_TTL_SECONDS: 900, BCRYPT_COST: 12, API_KEY: 'k' });
    expect(redacted).toEqual({ ACCESS_TOKEN_TTL_SECONDS: 900, BCRYPT_COST: 12, API_KEY: '[redacted]' });
  });

  it('treats passwords, tokens, keys and URLs as secrets but not ports or hosts', () => {
    expect(['DB_PASSWORD', 'API_TOKEN', 'AUTH_PRIVATE_KEY', 'REDIS_URL'].map(isSecretName)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['PORT', 'HOST', 'NODE_ENV', 'CORS_ORIGINS'].map(isSecretName)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('loadConfigOrExit', () => {
  it('when the configuration is invalid, prints only the lines to stderr and exits 1', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures/exit-on-bad-config.ts')],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, PORT: 'abc', DATABASE_URL: 'http://user:pw@host/db' },
      },
    );
    expect(child.status).toBe(1);
    expect(child.stdout).toBe('');
    expect(child.stderr).toBe(
      [
        'Invalid configuration:',
        '  PORT: expected a whole number between 0 and 65535, got "abc"',
        '  DATABASE_URL: expected a postgres:// or postgresql:// URL',
        '',
      ].join('\n'),
    );
  });
});
