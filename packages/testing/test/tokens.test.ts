import { generateKeyPairSync } from 'node:crypto';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { testAuth, tokenFor, uniqueSuffix } from '../src/index.ts';

const verify = (token: string) =>
  jwt.verify(token, testAuth.publicKey, {
    algorithms: ['ES256'],
    issuer: testAuth.issuer,
    audience: testAuth.audience,
    complete: true,
  });

describe('tokenFor', () => {
  it("when given a user, signs ES256 with the test key id and the auth service's claims", () => {
    const token = tokenFor({
      sub: '3f1f7c2e-0000-4000-8000-000000000001',
      role: 'admin',
      username: 'ada',
      sid: 's1',
    });

    const { header, payload } = verify(token);

    expect(header).toMatchObject({ alg: 'ES256', kid: 'test-key', typ: 'JWT' });
    const claims = payload as JwtPayload;
    expect(claims).toMatchObject({
      sub: '3f1f7c2e-0000-4000-8000-000000000001',
      role: 'admin',
      username: 'ada',
      sid: 's1',
      iss: 'http://auth.test',
      aud: 'mini-backends',
    });
    expect(claims.exp! - claims.iat!).toBe(15 * 60);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when given nothing, mints a plain user with a random id and a fresh jti each time', () => {
    const a = verify(tokenFor()).payload as JwtPayload;
    const b = verify(tokenFor()).payload as JwtPayload;

    expect(a.role).toBe('user');
    expect(a.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.sub).not.toBe(b.sub);
    expect(a.jti).not.toBe(b.jti);
  });

  it('when asked for an expired token, the verifier rejects it as expired', () => {
    expect(() => verify(tokenFor({ expiresIn: -10 }))).toThrow(jwt.TokenExpiredError);
  });

  it('when signed with a foreign key, the test public key rejects it', () => {
    const foreign = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expect(() => verify(tokenFor({ privateKey: foreign.privateKey }))).toThrow(/invalid signature/);
  });
});

describe('uniqueSuffix', () => {
  it('returns a different short value each call', () => {
    const values = new Set(Array.from({ length: 100 }, uniqueSuffix));
    expect(values.size).toBe(100);
    expect([...values][0]).toMatch(/^[0-9a-f]{10}$/);
  });
});
