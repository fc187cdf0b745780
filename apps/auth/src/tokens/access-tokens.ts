import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { SIGNING_ALGORITHM, type KeyStore } from '../keys/key-store.ts';

export interface AccessTokenSubject {
  id: string;
  role: 'user' | 'manager' | 'admin';
  username: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
}

/** The session a token belongs to: its id, and when its sign-in happened (the token's `auth_time`). */
export interface AccessTokenSession {
  id: string;
  createdAt: Date;
}

export interface AccessTokenIssuer {
  issue(user: AccessTokenSubject, session: AccessTokenSession): IssuedAccessToken;
}

export interface AccessTokenIssuerOptions {
  keys: KeyStore;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export function createAccessTokenIssuer(options: AccessTokenIssuerOptions): AccessTokenIssuer {
  return {
    issue(user, session) {
      const accessToken = jwt.sign(
        {
          role: user.role,
          username: user.username,
          sid: session.id,
          // OpenID Connect's claim for when the user last proved who they are (here: signed in with their
          // password). Refreshed tokens keep it, so "signed in a few minutes ago" can be checked (sudo mode).
          auth_time: Math.floor(session.createdAt.getTime() / 1000),
        },
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
