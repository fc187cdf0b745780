import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { SIGNING_ALGORITHM, type KeyStore } from '../keys/key-store.ts';

export interface AccessTokenSubject {
  id: string;
  role: 'user' | 'admin';
  username: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

export interface AccessTokenIssuer {
  issue(user: AccessTokenSubject, sessionId: string): IssuedAccessToken;
}

export interface AccessTokenIssuerOptions {
  keys: KeyStore;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export function createAccessTokenIssuer(options: AccessTokenIssuerOptions): AccessTokenIssuer {
  return {
    issue(user, sessionId) {
      const accessToken = jwt.sign(
        { role: user.role, username: user.username, sid: sessionId },
        options.keys.signing.privateKey,
        {
          algorithm: SIGNING_ALGORITHM,
          keyid: options.keys.signing.kid,
          subject: user.id,
          issuer: options.issuer,
          audience: options.audience,
          expiresIn: options.ttlSeconds,
          // A unique id per token: lets logs and audits name one token among many of the same session.
          jwtid: randomUUID(),
        },
      );
      return { accessToken, expiresIn: options.ttlSeconds };
    },
  };
}
