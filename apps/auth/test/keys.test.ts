import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import jwt from 'jsonwebtoken';
import { createTokenVerifier } from '@mini/auth';
import { configSchema } from '../src/config.ts';
import { addKeyFile, generatePrivateKeyPem, loadKeyStore } from '../src/keys/key-store.ts';
import { buildTestApp, registerAndLogin, testConfig, type TestContext } from './helpers.ts';

const ctx = buildTestApp();
const tmpDirs: string[] = [];
afterAll(async () => {
  await ctx.close();
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

function tempKeysDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'auth-keys-'));
  tmpDirs.push(dir);
  return dir;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function claimsFor(user: { id: string }, sid: string) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: user.id,
    role: 'admin',
    sid,
    iss: 'http://localhost:3001',
    aud: 'mini-backends',
    iat: now,
    exp: now + 600,
  };
}

const me = (app: TestContext['app'], token: string) =>
  request(app).get('/users/me').set('Authorization', `Bearer ${token}`);

describe('GET /.well-known/jwks.json', () => {
  it('publishes the signing key as an ES256 JWK whose kid is the one in token headers, and no private part', async () => {
    const user = await registerAndLogin(ctx);
    const res = await request(ctx.app).get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    const kid = jwt.decode(user.accessToken, { complete: true })?.header.kid;
    expect(res.body.keys).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid }),
    ]);
    expect(res.body.keys[0]).not.toHaveProperty('d');
  });

  it('lets a verifier that knows only the JWKS check a real token', async () => {
    const user = await registerAndLogin(ctx);
    const jwks = (await request(ctx.app).get('/.well-known/jwks.json')).body;
    const verifier = createTokenVerifier({
      issuer: 'http://localhost:3001',
      audience: 'mini-backends',
      jwksUrl: 'http://auth.invalid/.well-known/jwks.json',
      fetch: async () => Response.json(jwks),
    });
    await expect(verifier.verify(user.accessToken)).resolves.toMatchObject({ sub: user.id, role: 'user' });
  });
});

describe('key rotation', () => {
  it('after a new key is added, it signs; tokens of the old key still verify until the old key is retired', async () => {
    const dir = tempKeysDir();
    addKeyFile(dir);
    const before = buildTestApp({}, { keys: loadKeyStore({ keysDir: dir }) });
    const oldUser = await registerAndLogin(before);
    const oldKid = before.keys.signing.kid;
    await before.close();

    // Rotation: a newer file in the folder; the service restarts with it.
    const { kid: newKid } = addKeyFile(dir);
    const after = buildTestApp({}, { keys: loadKeyStore({ keysDir: dir }) });
    try {
      expect(after.keys.signing.kid).toBe(newKid);
      const jwks = (await request(after.app).get('/.well-known/jwks.json')).body;
      expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([newKid, oldKid]);

      const newUser = await registerAndLogin(after);
      expect(jwt.decode(newUser.accessToken, { complete: true })?.header.kid).toBe(newKid);
      // The old token still works here and in any service verifying through the JWKS.
      expect((await me(after.app, oldUser.accessToken)).status).toBe(200);
      const verifier = createTokenVerifier({
        issuer: 'http://localhost:3001',
        audience: 'mini-backends',
        jwksUrl: 'http://auth.invalid/.well-known/jwks.json',
        fetch: async () => Response.json(jwks),
      });
      await expect(verifier.verify(oldUser.accessToken)).resolves.toMatchObject({ sub: oldUser.id });
      await expect(verifier.verify(newUser.accessToken)).resolves.toMatchObject({ sub: newUser.id });
    } finally {
      await after.close();
    }

    // Once the old tokens have expired, the old key file is removed: its tokens are then refused.
    for (const file of readdirSync(dir).sort().slice(0, 1)) rmSync(path.join(dir, file));
    const retired = buildTestApp({}, { keys: loadKeyStore({ keysDir: dir }) });
    try {
      expect((await request(retired.app).get('/.well-known/jwks.json')).body.keys).toHaveLength(1);
      expect((await me(retired.app, oldUser.accessToken)).status).toBe(401);
    } finally {
      await retired.close();
    }
  });

  it('with JWT_PRIVATE_KEY rotation, JWT_PREVIOUS_PUBLIC_KEYS keeps the old key in the JWKS', async () => {
    const oldPem = generatePrivateKeyPem();
    const oldStore = loadKeyStore({ privateKeyPem: oldPem });
    const oldPublic =
      oldStore.verification[0]?.publicKey.export({ format: 'pem', type: 'spki' }).toString() ?? '';
    const store = loadKeyStore({ privateKeyPem: generatePrivateKeyPem(), previousPublicKeysPem: oldPublic });
    expect(store.jwks().keys.map((k) => k.kid)).toEqual([store.signing.kid, oldStore.signing.kid]);
  });

  it('in development, generates one key into an empty folder (owner-only file) and reuses it on the next start', () => {
    const dir = path.join(tempKeysDir(), 'nested');
    const first = loadKeyStore({ keysDir: dir, generateIfMissing: true });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(path.join(dir, files[0] ?? '')).mode & 0o777).toBe(0o600);
    const second = loadKeyStore({ keysDir: dir, generateIfMissing: true });
    expect(second.signing.kid).toBe(first.signing.kid);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('in production, refuses to start without a key, naming JWT_PRIVATE_KEY', () => {
    const result = configSchema.safeParse({
      NODE_ENV: 'production',
      DATABASE_URL: testConfig().DATABASE_URL,
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain('JWT_PRIVATE_KEY');
  });
});

describe('forged access tokens are refused with 401', () => {
  it('a token with alg "none" and no signature', async () => {
    const user = await registerAndLogin(ctx);
    const sid = (jwt.decode(user.accessToken) as jwt.JwtPayload).sid as string;
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsFor(user, sid))}.`;
    const res = await me(ctx.app, token);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/invalid_token/);
  });

  it('a token signed with HMAC using the public key (PEM and JWK forms) as the secret', async () => {
    const user = await registerAndLogin(ctx);
    const sid = (jwt.decode(user.accessToken) as jwt.JwtPayload).sid as string;
    const publicPem =
      ctx.keys.verification[0]?.publicKey.export({ format: 'pem', type: 'spki' }).toString() ?? '';
    const jwksText = JSON.stringify((await request(ctx.app).get('/.well-known/jwks.json')).body.keys[0]);
    for (const secret of [publicPem, jwksText]) {
      const unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid: ctx.keys.signing.kid })}.${b64(claimsFor(user, sid))}`;
      const signature = createHmac('sha256', secret).update(unsigned).digest('base64url');
      expect((await me(ctx.app, `${unsigned}.${signature}`)).status).toBe(401);
    }
  });

  it('a token signed by another ES256 key claiming our kid', async () => {
    const user = await registerAndLogin(ctx);
    const sid = (jwt.decode(user.accessToken) as jwt.JwtPayload).sid as string;
    const token = jwt.sign(claimsFor(user, sid), generatePrivateKeyPem(), {
      algorithm: 'ES256',
      keyid: ctx.keys.signing.kid,
    });
    expect((await me(ctx.app, token)).status).toBe(401);
  });

  it('a real token whose payload was edited (role raised to admin)', async () => {
    const user = await registerAndLogin(ctx);
    const [header, payload, signature] = user.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const tampered = `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`;
    expect(
      (await request(ctx.app).get('/admin/users').set('Authorization', `Bearer ${tampered}`)).status,
    ).toBe(401);
  });

  it('an expired token, and a token for another audience', async () => {
    const user = await registerAndLogin(ctx);
    const sid = (jwt.decode(user.accessToken) as jwt.JwtPayload).sid as string;
    const sign = (claims: object) =>
      jwt.sign(claims, ctx.keys.signing.privateKey, { algorithm: 'ES256', keyid: ctx.keys.signing.kid });
    const now = Math.floor(Date.now() / 1000);
    expect(
      (await me(ctx.app, sign({ ...claimsFor(user, sid), iat: now - 1000, exp: now - 60 }))).status,
    ).toBe(401);
    expect((await me(ctx.app, sign({ ...claimsFor(user, sid), aud: 'another-api' }))).status).toBe(401);
  });

  it('a well-signed token whose session does not exist', async () => {
    const user = await registerAndLogin(ctx);
    const token = jwt.sign(claimsFor(user, randomUUID()), ctx.keys.signing.privateKey, {
      algorithm: 'ES256',
      keyid: ctx.keys.signing.kid,
    });
    expect((await me(ctx.app, token)).status).toBe(401);
  });
});
