import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tokenFor } from '@mini/testing';

/**
 * A stand-in for the part of the auth service's API the blog's user routes call (register, login,
 * GET/PATCH /users/me, POST /users/me/password), answering as auth does (its bodies, its problem+json
 * codes and field errors), with tokens the test key signs. A real HTTP server, so the blog's service client
 * (timeout, forwarded headers, validation of the answer) runs for real.
 */
export interface AuthAccountsStandIn {
  url: string;
  /** Each request received, with its parsed JSON body. */
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: unknown }>;
  /** The password each account has now, by email. */
  passwordOf(email: string): string | undefined;
  /** 'down': every answer is a 500, as when auth fails. */
  mode: 'ok' | 'down';
  close(): Promise<void>;
}

interface Account {
  id: string;
  email: string;
  username: string;
  password: string;
}

const problem = (status: number, code: string, detail: string, errors?: Record<string, string[]>) => ({
  status,
  body: {
    type: `https://mini-backends.dev/problems/${code}`,
    title: status === 401 ? 'Unauthorized' : status === 409 ? 'Conflict' : 'Validation failed',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  },
});

const emailTaken = () =>
  problem(409, 'email-taken', 'An account with this email already exists.', {
    email: ['is already registered'],
  });
const usernameTaken = () =>
  problem(409, 'username-taken', 'This username is taken.', { username: ['is taken'] });
const unauthorized = () => problem(401, 'unauthorized', 'Authentication is required.');

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => resolve(text === '' ? undefined : JSON.parse(text)));
  });
}

// The token's `sub`, unverified: the blog's own verifier checked it already, and the test key signs it.
function subOf(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer (\S+)$/.exec(headers.authorization ?? '');
  const payload = match?.[1]?.split('.')[1];
  if (!payload) return undefined;
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: string }).sub;
}

export async function startAuthAccounts(): Promise<AuthAccountsStandIn> {
  const accounts = new Map<string, Account>();
  const byEmail = (email: string) =>
    [...accounts.values()].find((a) => a.email.toLowerCase() === email.toLowerCase());
  const byUsername = (username: string) =>
    [...accounts.values()].find((a) => a.username.toLowerCase() === username.toLowerCase());
  const me = (a: Account) => ({
    id: a.id,
    email: a.email,
    emailVerified: false,
    username: a.username,
    displayName: null,
    role: 'user',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
  });

  // The blog validated these bodies already: the fields it sends are strings.
  function answer(method: string, url: string, headers: IncomingHttpHeaders, input: unknown) {
    const body = (input ?? {}) as Record<string, string>;
    if (method === 'POST' && url === '/auth/register') {
      if (byEmail(body.email ?? '')) return emailTaken();
      if (byUsername(body.username ?? '')) return usernameTaken();
      if ((body.password ?? '').length < 8) {
        return problem(422, 'validation-failed', 'The request is not valid.', {
          password: ['Use at least 8 characters'],
        });
      }
      const account = {
        id: randomUUID(),
        email: body.email ?? '',
        username: body.username ?? '',
        password: body.password ?? '',
      };
      accounts.set(account.id, account);
      return { status: 201, body: me(account) };
    }
    if (method === 'POST' && url === '/auth/login') {
      const account = byEmail(body.email ?? '');
      if (!account || account.password !== body.password) {
        return problem(401, 'invalid-credentials', 'The email or password is incorrect.');
      }
      return {
        status: 200,
        body: {
          accessToken: tokenFor({ sub: account.id, username: account.username }),
          refreshToken: randomUUID(),
          tokenType: 'Bearer',
          expiresIn: 900,
        },
      };
    }
    const account = accounts.get(subOf(headers) ?? '');
    if (url === '/users/me' && method === 'GET')
      return account ? { status: 200, body: me(account) } : unauthorized();
    if (url === '/users/me' && method === 'PATCH') {
      if (!account) return unauthorized();
      const other = (found: Account | undefined) => found !== undefined && found.id !== account.id;
      if (body.email !== undefined && other(byEmail(body.email))) return emailTaken();
      if (body.username !== undefined && other(byUsername(body.username))) return usernameTaken();
      Object.assign(account, body);
      return { status: 200, body: me(account) };
    }
    if (url === '/users/me/password' && method === 'POST') {
      if (!account) return unauthorized();
      account.password = body.newPassword ?? '';
      return { status: 204, body: undefined };
    }
    return problem(404, 'route-not-found', `No route matches ${method} ${url}.`);
  }

  const standIn: AuthAccountsStandIn = {
    url: '',
    requests: [],
    mode: 'ok',
    passwordOf: (email) => byEmail(email)?.password,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '';
      standIn.requests.push({ method, url, headers: req.headers, body });
      if (standIn.mode === 'down') return void res.writeHead(500).end();
      const { status, body: out } = answer(method, url, req.headers, body);
      if (out === undefined) return void res.writeHead(status).end();
      const type = status >= 400 ? 'application/problem+json' : 'application/json';
      res.writeHead(status, { 'content-type': type }).end(JSON.stringify(out));
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}
