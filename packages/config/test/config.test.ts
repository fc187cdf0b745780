import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  NODE_ENV_UNSET_WARNING,
  baseConfigSchema,
  booleanFromEnv,
  httpUrl,
  loadConfig,
  optionalText,
  portSchema,
  redactConfig,
  seconds,
  secret,
  secretFields,
  secretUrl,
  wholeNumber,
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
      NODE_ENV: 'production',
      PORT: 3000,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: DB,
      DATABASE_POOL_MAX: 10,
      DATABASE_STATEMENT_TIMEOUT_MS: 5_000,
      DATABASE_QUERY_TIMEOUT_MS: 6_000,
      DATABASE_CONNECT_TIMEOUT_MS: 5_000,
      CORS_ORIGINS: [],
      BODY_LIMIT: '100kb',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      TRUST_PROXY: false,
      SHUTDOWN_IDLE_GRACE_MS: 1_000,
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
      HTTP_MAX_HEADER_SIZE: 16_384,
      HTTP_MAX_HEADERS_COUNT: 100,
      HTTP_MAX_URL_LENGTH: 8_192,
      HTTP_MAX_QUERY_PARAMS: 100,
    });
  });

  it('when an HTTP limit is not a positive whole number, names the variable and the value', () => {
    const error = configError(() =>
      loadConfig(baseConfigSchema, {
        cwd: tempDir(),
        env: { DATABASE_URL: DB, HTTP_HEADERS_TIMEOUT_MS: '0', HTTP_MAX_QUERY_PARAMS: '1.5' },
      }),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration:',
        '  HTTP_HEADERS_TIMEOUT_MS: expected a whole number of at least 1, got "0"',
        '  HTTP_MAX_QUERY_PARAMS: expected a whole number of at least 1, got "1.5"',
      ].join('\n'),
    );
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
    expect(config.TRUST_PROXY).toBe(1);
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
      loadConfig(baseConfigSchema, { cwd: tempDir(), env: { PORT: 'abc', LOG_LEVEL: 'loud' } }),
    );
    expect(error.message).toBe(
      [
        'Invalid configuration:',
        '  PORT: expected a whole number between 0 and 65535, got "abc"',
        '  LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent", got "loud"',
        '  DATABASE_URL: required',
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

  it('when a variable marked secret is invalid, the message never echoes its value', () => {
    const schema = baseConfigSchema.extend({
      JWT_SECRET: secret(z.string().min(32, { error: 'must be at least 32 characters' })),
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

describe('TRUST_PROXY', () => {
  const trustProxy = (value: string) =>
    loadConfig(baseConfigSchema, { cwd: tempDir(), env: { DATABASE_URL: DB, TRUST_PROXY: value } })
      .TRUST_PROXY;

  it('when it is a number, trusts that many proxy hops (0 and false trust none)', () => {
    expect(trustProxy('2')).toBe(2);
    expect(trustProxy('0')).toBe(false);
    expect(trustProxy('false')).toBe(false);
  });

  it('when it lists addresses, CIDRs and Express names, passes the list on', () => {
    expect(trustProxy('loopback, 10.0.0.0/8,192.168.1.7, fd00::/8, UniqueLocal')).toEqual([
      'loopback',
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      'uniquelocal',
    ]);
  });

  it('when it is true, refuses to start and names the safe forms', () => {
    const error = configError(() => trustProxy('true'));
    expect(error.problems).toEqual([
      {
        variable: 'TRUST_PROXY',
        reason:
          'true would let any client choose its own IP address; expected false, a number of proxy hops ' +
          '(1 behind one load balancer), or a comma-separated list of proxy addresses, CIDRs and loopback, ' +
          'linklocal, uniquelocal, got "true"',
      },
    ]);
  });

  it('when an entry is neither an address, a CIDR nor a known name, refuses to start', () => {
    for (const value of ['yes', '10.0.0.0/33', 'loopback,proxy.internal', '10.0.0.1/8/1', '1.5'])
      expect(() => trustProxy(value), value).toThrow(/TRUST_PROXY: expected false, a number of proxy hops/);
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
  const schema = baseConfigSchema.extend({
    API_KEY: secret(z.string()),
    PEPPER: secret(optionalText.pipe(z.string().min(4).optional())),
    SMTP_URL: secretUrl(optionalText),
    PASSWORD_HASH_CONCURRENCY: wholeNumber(3),
    SECRET_SOUNDING_NAME: z.string(),
  });

  it('replaces the values of fields the schema marks secret(), however wrapped, and keeps the rest', () => {
    const config = schema.parse({
      DATABASE_URL: DB,
      API_KEY: 'k-123',
      PEPPER: 'pepper-value',
      SECRET_SOUNDING_NAME: 'visible',
    });
    const redacted = redactConfig(schema, config);
    expect(redacted).toMatchObject({
      API_KEY: '[redacted]',
      PEPPER: '[redacted]',
      PORT: 3000,
      SECRET_SOUNDING_NAME: 'visible',
    });
    expect(JSON.stringify(redacted)).not.toMatch(/k-123|pepper-value/);
  });

  it('judges by what a value is, not by its name: a count named PASSWORD_... is shown', () => {
    const config = schema.parse({ DATABASE_URL: DB, API_KEY: 'k', SECRET_SOUNDING_NAME: 'x' });
    expect(redactConfig(schema, config).PASSWORD_HASH_CONCURRENCY).toBe(3);
  });

  it('when a secretUrl() carries a password or a query, shows its host and database but not those', () => {
    const config = schema.parse({
      DATABASE_URL: 'postgres://auth:s3cret-pw@db.internal:5432/auth?sslpassword=other',
      SMTP_URL: 'not a url s3cret',
      API_KEY: 'k',
      SECRET_SOUNDING_NAME: 'x',
    });
    const redacted = redactConfig(schema, config);
    expect(redacted.DATABASE_URL).toBe('postgres://auth:redacted@db.internal:5432/auth?redacted');
    expect(redacted.SMTP_URL).toBe('[redacted]');
    expect(JSON.stringify(redacted)).not.toContain('s3cret');
  });

  it('marking a shared schema secret leaves its other uses alone', () => {
    const shared = optionalText;
    const marked = z.object({ TOKEN: secret(shared), LABEL: shared });
    expect(secretFields(marked)).toEqual(new Map([['TOKEN', 'value']]));
  });
});

describe('config helpers', () => {
  it('wholeNumber, seconds and httpUrl state their rule in one message', () => {
    const schema = z.object({
      COUNT: wholeNumber(5),
      COST: wholeNumber(12, { min: 4, max: 15 }),
      TTL: seconds(60, 30),
      URL: httpUrl().optional(),
    });
    expect(schema.parse({})).toEqual({ COUNT: 5, COST: 12, TTL: 60 });
    expect(() =>
      loadConfig(schema, { cwd: tempDir(), env: { COUNT: '0', COST: '16', TTL: '1.5', URL: 'ftp://x' } }),
    ).toThrow(
      [
        'Invalid configuration:',
        '  COUNT: expected a whole number of at least 1, got "0"',
        '  COST: expected a whole number between 4 and 15, got "16"',
        '  TTL: expected a whole number of seconds, at least 30, got "1.5"',
        '  URL: expected an http:// or https:// URL, got "ftp://x"',
      ].join('\n'),
    );
  });

  it('optionalText reads a blank value as absent', () => {
    expect(z.object({ NAME: optionalText }).parse({ NAME: '  ' })).toEqual({ NAME: undefined });
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
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          PORT: 'abc',
          DATABASE_URL: 'http://user:pw@host/db',
        },
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

describe('NODE_ENV', () => {
  function start(env: Record<string, string>) {
    return spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures/print-node-env.ts')],
      { cwd: repoRoot, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_URL: DB, ...env } },
    );
  }

  it('when it is set nowhere, runs as production and says so in one warning line', () => {
    const child = start({});
    expect(child.status).toBe(0);
    expect(child.stdout).toBe('production\n');
    expect(child.stderr).toBe(`${NODE_ENV_UNSET_WARNING}\n`);
    expect(NODE_ENV_UNSET_WARNING).toMatch(/NODE_ENV is not set.*production.*NODE_ENV=development/);
  });

  it('when it is set, starts without a warning', () => {
    const child = start({ NODE_ENV: 'development' });
    expect(child.stdout).toBe('development\n');
    expect(child.stderr).toBe('');
  });

  it('when it is unset, the .env.production file is the one read', () => {
    const cwd = tempDir({ '.env.production': 'LOG_LEVEL=warn', '.env.development': 'LOG_LEVEL=debug' });
    expect(loadConfig(baseConfigSchema, { cwd, env: { DATABASE_URL: DB } }).LOG_LEVEL).toBe('warn');
  });
});
