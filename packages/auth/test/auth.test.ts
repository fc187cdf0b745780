import { createHmac, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import jwt from 'jsonwebtoken';
import { jwtVerify } from 'jose';
import type * as JoseModule from 'jose';
import { baseConfigSchema, ConfigError, loadConfig } from '@mini/config';
import {
  authEnvSchema,
  createTokenVerifier,
  requireAuth,
  requireAuthKeySource,
  requireRole,
  verifierOptionsFromConfig,
  type AuthUser,
} from '../src/index.ts';
import { AUDIENCE, ISSUER, b64url, buildApp, makeKey, sign, startJwksServer } from './helpers.ts';

// jose's jwtVerify, wrapped so that the verified-token cache tests can count signature checks.
vi.mock('jose', async (importOriginal) => {
  const jose = await importOriginal<typeof JoseModule>();
  return { ...jose, jwtVerify: vi.fn(jose.jwtVerify) };
});

const es = makeKey('ES256', 'es-1');
const rs = makeKey('RS256', 'rs-1');
const foreign = makeKey('ES256', 'es-1');

function staticApp(options: Parameters<typeof requireAuth>[1] = {}) {
  const verifier = createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    staticKeys: [
      { kid: es.kid, publicKey: es.publicPem },
      { kid: rs.kid, publicKey: rs.publicPem },
    ],
  });
  return buildApp({ auth: requireAuth(verifier, options), admin: requireRole('admin') });
}

function expectInvalidToken(res: request.Response) {
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe('unauthorized');
  expect(res.headers['www-authenticate']).toMatch(
    /^Bearer realm="mini-backends", error="invalid_token", error_description="[^"]+"$/,
  );
}

describe('requireAuth with static keys', () => {
  it('when a valid ES256 Bearer token is sent, sets req.user and the log context userId', async () => {
    const sub = randomUUID();
    const token = sign(es, { sub, role: 'admin', username: 'ada', sid: 'session-1' });
    const res = await request(staticApp()).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: sub, role: 'admin', username: 'ada', sessionId: 'session-1' });
    expect(res.body.user.claims).toMatchObject({ sub, iss: ISSUER, aud: AUDIENCE });
    expect(res.body.context.userId).toBe(sub);
    expectTypeOf<AuthUser['id']>().toEqualTypeOf<string>();
  });

  it('when a valid RS256 token uses the RealWorld "Token" scheme (any case), accepts it', async () => {
    const app = staticApp();
    const token = sign(rs);
    expect((await request(app).get('/me').set('Authorization', `Token ${token}`)).status).toBe(200);
    expect((await request(app).get('/me').set('Authorization', `bearer ${token}`)).status).toBe(200);
  });

  it('when the Authorization header is missing, returns 401 with a plain Bearer challenge', async () => {
    const res = await request(staticApp()).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="mini-backends"');
    expect(res.body.code).toBe('unauthorized');
  });

  it('when another scheme is used, returns 401 with a plain challenge', async () => {
    const res = await request(staticApp()).get('/me').set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="mini-backends"');
  });

  it('when the token is signed by a foreign key with the same kid, returns 401 invalid_token', async () => {
    expectInvalidToken(
      await request(staticApp())
        .get('/me')
        .set('Authorization', `Bearer ${sign(foreign)}`),
    );
  });

  it('when the token has expired, returns 401 saying so', async () => {
    const token = sign(es, { iat: Math.floor(Date.now() / 1000) - 600 }, { expiresIn: 60 });
    const res = await request(staticApp()).get('/me').set('Authorization', `Bearer ${token}`);
    expectInvalidToken(res);
    expect(res.headers['www-authenticate']).toContain('expired');
  });

  it('when the token uses alg none, returns 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: randomUUID(), role: 'admin', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300 })}.`;
    expectInvalidToken(await request(staticApp()).get('/me').set('Authorization', `Bearer ${token}`));
  });

  it('when the payload is tampered with and the original signature kept, returns 401', async () => {
    const [header, payload, signature] = sign(es, { role: 'user' }).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${b64url({ ...claims, role: 'admin' })}.${signature}`;
    const res = await request(staticApp()).get('/admin').set('Authorization', `Bearer ${tampered}`);
    expectInvalidToken(res);
  });

  it('when the token is HS256-signed with the public key PEM as the secret, returns 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT', kid: rs.kid })}.${b64url({ sub: randomUUID(), role: 'admin', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300 })}`;
    const signature = createHmac('sha256', rs.publicPem).update(unsigned).digest('base64url');
    expectInvalidToken(
      await request(staticApp()).get('/me').set('Authorization', `Bearer ${unsigned}.${signature}`),
    );
  });

  it('when the token names a critical header parameter the verifier does not understand, returns 401', async () => {
    // RFC 7515 4.1.11: a verifier must refuse a token whose `crit` lists an extension it does not implement.
    const extension = { 'exp-policy': 1 };
    const token = sign(es, {}, { header: { alg: 'ES256', kid: es.kid, crit: ['exp-policy'], ...extension } });
    expectInvalidToken(await request(staticApp()).get('/me').set('Authorization', `Bearer ${token}`));
  });

  it('when the issuer or the audience is wrong, returns 401', async () => {
    const app = staticApp();
    expectInvalidToken(
      await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${sign(es, {}, { issuer: 'https://evil' })}`),
    );
    expectInvalidToken(
      await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${sign(es, {}, { audience: 'billing' })}`),
    );
  });

  it('when the token has no sub, returns 401', async () => {
    const token = sign(es, { sub: undefined });
    expectInvalidToken(await request(staticApp()).get('/me').set('Authorization', `Bearer ${token}`));
  });

  it('when the token is garbage, returns 401', async () => {
    expectInvalidToken(await request(staticApp()).get('/me').set('Authorization', 'Bearer not.a.jwt'));
  });

  it('when isRevoked says the session is revoked, returns 401', async () => {
    const app = staticApp({ isRevoked: async (claims) => claims.sid === 'revoked' });
    expectInvalidToken(
      await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${sign(es, { sid: 'revoked' })}`),
    );
    expect(
      (
        await request(app)
          .get('/me')
          .set('Authorization', `Bearer ${sign(es, { sid: 'live' })}`)
      ).status,
    ).toBe(200);
  });
});

describe('requireRole', () => {
  it('when the role is not in the list, returns 403 forbidden', async () => {
    const res = await request(staticApp())
      .get('/admin')
      .set('Authorization', `Bearer ${sign(es, { role: 'user' })}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
  });

  it('when the role is in the list, lets the request through', async () => {
    const res = await request(staticApp())
      .get('/admin')
      .set('Authorization', `Bearer ${sign(es, { role: 'admin' })}`);
    expect(res.status).toBe(200);
  });
});

describe('JWKS', () => {
  const servers: Array<{ close: () => Promise<void> }> = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  async function jwksVerifier(
    keys = [es, rs],
    extra: Partial<Parameters<typeof createTokenVerifier>[0]> = {},
  ) {
    const jwks = await startJwksServer(keys);
    servers.push(jwks);
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, ...extra });
    return { jwks, verifier };
  }

  it('when tokens are verified repeatedly, the key set is fetched once and cached', async () => {
    const { jwks, verifier } = await jwksVerifier();
    for (let i = 0; i < 5; i++) {
      await verifier.verify(sign(es, { sub: `user-${i}` }));
      await verifier.verify(sign(rs));
    }
    expect(jwks.state.hits).toBe(1);
  });

  it('when many verifications start at once on a cold cache, they share one fetch', async () => {
    const { jwks, verifier } = await jwksVerifier();
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => verifier.verify(sign(es, { sub: `u${i}` }))),
    );
    expect(claims.map((c) => c.sub)).toEqual(Array.from({ length: 10 }, (_, i) => `u${i}`));
    expect(jwks.state.hits).toBe(1);
  });

  it('when the auth service rotates to a new kid, one refetch picks it up', async () => {
    const { jwks, verifier } = await jwksVerifier([es]);
    await verifier.verify(sign(es));
    const rotated = makeKey('ES256', 'es-2');
    jwks.state.keys = [es, rotated];
    const claims = await verifier.verify(sign(rotated, { sub: 'after-rotation' }));
    expect(claims.sub).toBe('after-rotation');
    expect(jwks.state.hits).toBe(2);
  });

  it('when a storm of unknown kids arrives, refetches at most once and rejects them', async () => {
    const { jwks, verifier } = await jwksVerifier([es]);
    await verifier.verify(sign(es));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => verifier.verify(sign(makeKey('ES256', randomUUID())))),
    );
    expect(
      results.every((r) => r.status === 'rejected' && (r.reason as { status: number }).status === 401),
    ).toBe(true);
    expect(jwks.state.hits).toBe(2);
  });

  it('when the cache time has passed, fetches again', async () => {
    const { jwks, verifier } = await jwksVerifier([es], { jwksCacheMs: 0 });
    await verifier.verify(sign(es));
    await verifier.verify(sign(es));
    expect(jwks.state.hits).toBe(2);
  });

  it('when the JWKS endpoint is down and no keys are cached, rejects with 503', async () => {
    const { jwks, verifier } = await jwksVerifier([es]);
    jwks.state.status = 500;
    await expect(verifier.verify(sign(es))).rejects.toMatchObject({
      status: 503,
      code: 'auth-keys-unavailable',
    });
  });

  it('when the JWKS endpoint goes down after a fetch, keeps verifying with the cached keys', async () => {
    const { jwks, verifier } = await jwksVerifier([es], { jwksCacheMs: 0 });
    await verifier.verify(sign(es));
    jwks.state.status = 500;
    await expect(verifier.verify(sign(es, { sub: 'still-ok' }))).resolves.toMatchObject({ sub: 'still-ok' });
  });

  it('works behind requireAuth end to end', async () => {
    const { verifier } = await jwksVerifier();
    const app = buildApp({ auth: requireAuth(verifier), admin: requireRole('admin') });
    const res = await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${sign(rs, { sub: 'jwks-user' })}`);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe('jwks-user');
  });
});

describe('authEnvSchema and verifierOptionsFromConfig', () => {
  const schema = baseConfigSchema.extend(authEnvSchema.shape).superRefine(requireAuthKeySource);
  const DB = 'postgres://localhost/tasks';

  it('when AUTH_PUBLIC_KEY has \\n escapes, turns it into a PEM that verifies tokens', async () => {
    const escaped = es.publicPem.trim().replace(/\n/g, '\\n');
    const config = loadConfig(schema, {
      cwd: '/nonexistent',
      env: { DATABASE_URL: DB, AUTH_PUBLIC_KEY: escaped },
    });
    expect(config.AUTH_ISSUER).toBe('http://localhost:3001');
    expect(config.AUTH_AUDIENCE).toBe('mini-backends');
    const verifier = createTokenVerifier(verifierOptionsFromConfig(config));
    await expect(verifier.verify(sign(es, { sub: 'pem-user' }))).resolves.toMatchObject({ sub: 'pem-user' });
  });

  it('when neither AUTH_JWKS_URL nor AUTH_PUBLIC_KEY is set, start-up fails naming the variable', () => {
    expect(() => loadConfig(schema, { cwd: '/nonexistent', env: { DATABASE_URL: DB } })).toThrow(
      new ConfigError([{ variable: 'AUTH_JWKS_URL', reason: 'required unless AUTH_PUBLIC_KEY is set' }]),
    );
    expect(() =>
      verifierOptionsFromConfig({
        AUTH_ISSUER: 'i',
        AUTH_AUDIENCE: 'a',
        AUTH_JWKS_URL: undefined,
        AUTH_PUBLIC_KEY: undefined,
      }),
    ).toThrow(/AUTH_JWKS_URL/);
  });

  it('when AUTH_JWKS_URL is set, the verifier options use it', () => {
    const config = loadConfig(schema, {
      cwd: '/nonexistent',
      env: { DATABASE_URL: DB, AUTH_JWKS_URL: 'http://localhost:3001/.well-known/jwks.json' },
    });
    expect(verifierOptionsFromConfig(config)).toEqual({
      issuer: 'http://localhost:3001',
      audience: 'mini-backends',
      jwksUrl: 'http://localhost:3001/.well-known/jwks.json',
    });
  });
});

describe('verified-token cache', () => {
  const verifierWith = (verifiedCacheSize?: number) =>
    createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      staticKeys: [{ kid: es.kid, publicKey: es.publicPem }],
      ...(verifiedCacheSize === undefined ? {} : { verifiedCacheSize }),
    });

  afterEach(() => vi.restoreAllMocks());
  const signatureChecks = () => {
    vi.mocked(jwtVerify).mockClear();
    return vi.mocked(jwtVerify);
  };

  it('when the same token arrives again, its signature is not checked a second time', async () => {
    const verifier = verifierWith();
    const checks = signatureChecks();
    const token = sign(es);
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toEqual(first);
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('when the cache is off, every verification checks the signature', async () => {
    const verifier = verifierWith(0);
    const checks = signatureChecks();
    const token = sign(es);
    await verifier.verify(token);
    await verifier.verify(token);
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it('when a remembered token expires, it is refused like any expired token', async () => {
    const verifier = verifierWith();
    const now = Math.floor(Date.now() / 1000);
    // Already 10 s past exp at the second call (beyond the 5 s clock tolerance of a fresh check).
    const token = sign(es, {}, { expiresIn: 1 });
    await verifier.verify(token);
    vi.spyOn(Date, 'now').mockReturnValue((now + 11) * 1000);
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401 });
  });

  it('when a token is tampered with, the cached original does not vouch for it', async () => {
    const verifier = verifierWith();
    const token = sign(es, { role: 'user' });
    await verifier.verify(token);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64url({ ...(jwt.decode(token) as object), role: 'admin' })}.${signature}`;
    await expect(verifier.verify(forged)).rejects.toMatchObject({ status: 401 });
  });

  it('the claims it hands out are frozen, so one request cannot change them for the next', async () => {
    const claims = await verifierWith().verify(sign(es));
    expect(Object.isFrozen(claims)).toBe(true);
  });
});
