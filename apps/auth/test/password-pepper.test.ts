import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcrypt';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, redactConfig } from '@mini/config';
import { captureLogs, uniqueSuffix } from '@mini/testing';
import { configSchema } from '../src/config.ts';
import { createPasswordHasher, pepperId } from '../src/passwords/password-hasher.ts';
import { peppersFromConfig } from '../src/passwords/pepper.ts';
import {
  TEST_PEPPER,
  TEST_PRIVATE_KEY,
  buildTestApp,
  login,
  registerAndLogin,
  testConfig,
} from './helpers.ts';

const OTHER_PEPPER = 'another pepper, also 32 characters or more';
const hasherWith = (current: string, previous: string[] = [], cost = 4) =>
  createPasswordHasher({ cost, peppers: { current, previous } });

/** A hash as this service stored it before the pepper: bcrypt over base64(SHA-256(password)). */
const unpepperedHash = (password: string) =>
  bcrypt.hash(createHash('sha256').update(password.normalize('NFKC')).digest('base64'), 4);

describe('password hasher', () => {
  it('a new hash names its scheme and pepper, and verifies with that pepper', async () => {
    const hasher = hasherWith(TEST_PEPPER);
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(new RegExp(`^hmac-sha256:${pepperId(TEST_PEPPER)}:\\$2b\\$04\\$`));
    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('correct horse battery!', hash)).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it('when a hash was made with another pepper, it does not verify', async () => {
    const hash = await hasherWith(OTHER_PEPPER).hash('correct horse battery');
    expect(await hasherWith(TEST_PEPPER).verify('correct horse battery', hash)).toBe(false);
    // Not even when the id is forged to name this server's pepper: the bcrypt input differs.
    const forged = hash.replace(pepperId(OTHER_PEPPER), pepperId(TEST_PEPPER));
    expect(await hasherWith(TEST_PEPPER).verify('correct horse battery', forged)).toBe(false);
  });

  it('when a hash is from before the pepper, it still verifies and asks to be rehashed', async () => {
    const hasher = hasherWith(TEST_PEPPER);
    const old = await unpepperedHash('correct horse battery');
    expect(await hasher.verify('correct horse battery', old)).toBe(true);
    expect(await hasher.verify('wrong horse battery', old)).toBe(false);
    expect(hasher.needsRehash(old)).toBe(true);
  });

  it('when a hash was made with a previous pepper, it verifies and asks to be rehashed; so does another cost', async () => {
    const rotated = hasherWith(OTHER_PEPPER, [TEST_PEPPER]);
    const old = await hasherWith(TEST_PEPPER).hash('correct horse battery');
    expect(await rotated.verify('correct horse battery', old)).toBe(true);
    expect(rotated.needsRehash(old)).toBe(true);
    expect(rotated.needsRehash(await rotated.hash('x'))).toBe(false);
    expect(hasherWith(OTHER_PEPPER, [], 5).needsRehash(await rotated.hash('x'))).toBe(true);
  });
});

describe('login with hashes from before the pepper or from a previous pepper', () => {
  const logs = captureLogs('debug');
  const ctx = buildTestApp({}, { logger: logs.logger });
  afterAll(() => ctx.close());
  const storedHash = async (id: string) =>
    (await ctx.db.prisma.user.findUniqueOrThrow({ where: { id } })).passwordHash;

  it('when the stored hash is unpeppered, the right password signs in once and the hash is replaced by a peppered one', async () => {
    const user = await registerAndLogin(ctx);
    await ctx.db.prisma.user.update({
      where: { id: user.id },
      data: { passwordHash: await unpepperedHash(user.password) },
    });

    await login(ctx, user);
    expect(await storedHash(user.id)).toMatch(new RegExp(`^hmac-sha256:${pepperId(TEST_PEPPER)}:`));
    await login(ctx, user);
  });

  it('when the pepper is rotated, a login with the old one listed as previous works and rehashes; without it, it fails', async () => {
    const user = await registerAndLogin(ctx);
    const stranded = await registerAndLogin(ctx);
    const rotated = buildTestApp({ PASSWORD_PEPPER: OTHER_PEPPER, PASSWORD_PREVIOUS_PEPPER: TEST_PEPPER });
    const withoutOld = buildTestApp({ PASSWORD_PEPPER: OTHER_PEPPER });
    try {
      await login(rotated, user);
      expect(await storedHash(user.id)).toMatch(new RegExp(`^hmac-sha256:${pepperId(OTHER_PEPPER)}:`));
      await login(withoutOld, user);

      const res = await request(withoutOld.app)
        .post('/auth/login')
        .send({ email: stranded.email, password: stranded.password });
      expect(res.status).toBe(401);
    } finally {
      await rotated.close();
      await withoutOld.close();
    }
  });

  it('the pepper appears neither in the log nor in the start-up configuration line', async () => {
    const user = await registerAndLogin(ctx);
    await ctx.db.prisma.user.update({
      where: { id: user.id },
      data: { passwordHash: await unpepperedHash(user.password) },
    });
    await login(ctx, user); // a rehash, too
    await request(ctx.app)
      .post('/auth/login')
      .set('X-Forwarded-For', `10.8.${Math.floor(Math.random() * 250)}.1`)
      .send({ email: user.email, password: `wrong ${uniqueSuffix()}` });
    expect(logs.text()).toContain('request completed');
    expect(logs.text()).not.toContain(TEST_PEPPER);

    // What server.ts logs as 'starting'.
    const config = testConfig({ PASSWORD_PREVIOUS_PEPPER: OTHER_PEPPER });
    const line = JSON.stringify(redactConfig(configSchema, config));
    expect(line).toContain('"PASSWORD_PEPPER":"[redacted]"');
    expect(line).not.toContain(TEST_PEPPER);
    expect(line).not.toContain(OTHER_PEPPER);
    expect(line).not.toContain(TEST_PRIVATE_KEY.split('\n')[1]);
    // Redacted by what a value is, not by a word in its name: a count is shown.
    expect(line).toContain(`"PASSWORD_HASH_CONCURRENCY":${config.PASSWORD_HASH_CONCURRENCY}`);
  });
});

describe('PASSWORD_PEPPER configuration', () => {
  const load = (env: Record<string, string>) =>
    loadConfig(configSchema, {
      cwd: '/nonexistent',
      env: { DATABASE_URL: 'postgres://auth@localhost/auth', JWT_PRIVATE_KEY: TEST_PRIVATE_KEY, ...env },
    });

  it('when it is missing in production, start-up fails naming it', () => {
    expect(() => load({ NODE_ENV: 'production' })).toThrow(
      /^Invalid configuration:\n {2}PASSWORD_PEPPER: required in production/,
    );
  });

  it('when it is too short, start-up fails without echoing it', () => {
    const short = 'short pepper';
    let message = '';
    try {
      load({ NODE_ENV: 'production', PASSWORD_PEPPER: short });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PASSWORD_PEPPER: expected at least 32 characters');
    expect(message).not.toContain(short);
  });

  it('in development without it, one pepper is generated into a private file and reused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'auth-pepper-'));
    try {
      const file = path.join(dir, 'keys', 'auth-password-pepper');
      const config = { NODE_ENV: 'development' as const, PASSWORD_PREVIOUS_PEPPER: undefined };
      const first = peppersFromConfig(config, file);
      expect(first.current.length).toBeGreaterThanOrEqual(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(peppersFromConfig(config, file).current).toBe(first.current);
      expect(() => peppersFromConfig({ ...config, NODE_ENV: 'production' }, file)).toThrow(/PASSWORD_PEPPER/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
