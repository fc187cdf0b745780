import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import jwt, { type SignOptions } from 'jsonwebtoken';

// A fresh key pair per test process: test tokens can never be valid anywhere else.
const { privateKey, publicKey } = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/** What a service under test must trust: pass these to its token verifier as a static key. */
export const testAuth = {
  issuer: 'http://auth.test',
  audience: 'mini-backends',
  kid: 'test-key',
  publicKey,
} as const;

export type TestRole = 'user' | 'manager' | 'admin';

export interface TokenOptions {
  /** The user's id; a new UUID by default. */
  sub?: string;
  role?: TestRole;
  username?: string;
  /** The session id the auth service puts in each token. */
  sid?: string;
  /** When the user signed in (seconds since the epoch); now by default, as for a fresh sign-in. */
  authTime?: number;
  /** jsonwebtoken's format: '15m', '1h', or seconds; a negative value makes an expired token. */
  expiresIn?: SignOptions['expiresIn'];
  /** Overrides for security tests: a wrong issuer, audience or key id must be rejected. */
  issuer?: string;
  audience?: string;
  kid?: string;
  /** Signs with another key (PEM), e.g. a foreign key that must be rejected. */
  privateKey?: string;
}

/** An access token with exactly the claims the auth service mints, signed ES256 with the test key. */
export function tokenFor(options: TokenOptions = {}): string {
  const sub = options.sub ?? randomUUID();
  return jwt.sign(
    {
      sub,
      role: options.role ?? 'user',
      username: options.username ?? `user_${sub.slice(0, 8)}`,
      sid: options.sid ?? randomUUID(),
      auth_time: options.authTime ?? Math.floor(Date.now() / 1000),
    },
    options.privateKey ?? privateKey,
    {
      algorithm: 'ES256',
      keyid: options.kid ?? testAuth.kid,
      issuer: options.issuer ?? testAuth.issuer,
      audience: options.audience ?? testAuth.audience,
      expiresIn: options.expiresIn ?? '15m',
      jwtid: randomUUID(),
    },
  );
}

/** A short suffix for test data that must not collide with other tests running in parallel. */
export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}
