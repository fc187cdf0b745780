import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createServiceApp } from '@mini/http';
import { createLogger, getRequestContext } from '@mini/logger';
import type { RequestHandler } from 'express';
import jwt from 'jsonwebtoken';

export const ISSUER = 'http://localhost:3001';
export const AUDIENCE = 'mini-backends';

export interface TestKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

export function makeKey(alg: 'ES256' | 'RS256', kid: string = randomUUID()): TestKey {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    alg,
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function sign(
  key: TestKey,
  claims: Record<string, unknown> = {},
  options: jwt.SignOptions = {},
): string {
  return jwt.sign({ sub: randomUUID(), role: 'user', ...claims }, key.privateKey, {
    algorithm: key.alg,
    keyid: key.kid,
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: '5m',
    ...options,
  });
}

export const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An app with one protected route that echoes req.user and the log context, plus an admin-only route. */
export function buildApp(routes: { auth: RequestHandler; admin: RequestHandler }) {
  const logger = createLogger({
    name: 'test',
    level: 'silent',
    pretty: false,
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
  return createServiceApp({
    name: 'auth-test',
    config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: false },
    logger,
    routes: (app) => {
      app.get('/me', routes.auth, (req, res) => {
        res.json({ user: req.user, context: getRequestContext() });
      });
      app.get('/admin', routes.auth, routes.admin, (_req, res) => {
        res.json({ ok: true });
      });
    },
  });
}

/** A JWKS endpoint on a local port; `keys` can be swapped to simulate rotation; `hits` counts fetches. */
export async function startJwksServer(initial: TestKey[]) {
  const state = { keys: initial, hits: 0, status: 200 };
  const server: Server = createServer((_req, res) => {
    state.hits += 1;
    const keys = state.keys.map((key) => ({
      ...key.publicKey.export({ format: 'jwk' }),
      kid: key.kid,
      alg: key.alg,
      use: 'sig',
    }));
    res.writeHead(state.status, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return {
    state,
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
