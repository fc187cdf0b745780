import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestUser } from './users.ts';

/**
 * How the stand-in answers: 'ok' normally; 'slow' never in time; 'garbage' 200 with a body that is not a
 * user; 'refuse' 401 problem+json (auth refusing the forwarded token); 'failing' 500.
 */
export type AuthStandInMode = 'ok' | 'slow' | 'garbage' | 'refuse' | 'failing';

export interface AuthStandIn {
  /** Its base URL: a service's AUTH_URL. */
  url: string;
  /** Users the stand-in knows (by username and by id). */
  register(user: Pick<TestUser, 'id' | 'username' | 'displayName'>): void;
  /** Each request it received, to check what the caller forwarded. */
  requests: Array<{ url: string; headers: IncomingHttpHeaders }>;
  mode: AuthStandInMode;
  close(): Promise<void>;
}

const REFUSAL = JSON.stringify({
  type: 'https://mini-backends.dev/problems/unauthorized',
  title: 'Unauthorized',
  status: 401,
  detail: 'The session has ended.',
  code: 'unauthorized',
  requestId: 'auth-side-id',
});

const NOT_FOUND = JSON.stringify({
  type: 'https://mini-backends.dev/problems/user-not-found',
  title: 'Not found',
  status: 404,
  detail: 'No such user.',
  code: 'user-not-found',
});

/**
 * A stand-in for the auth service's public user API (`GET /users/by-username/:username`, `GET /users/:id`,
 * answering its public profile `{ id, username, displayName }`): a real HTTP server on a free port, so a
 * calling service's client (timeout, forwarded headers, validation) runs for real.
 */
export async function startAuthStandIn(): Promise<AuthStandIn> {
  const byUsername = new Map<string, Pick<TestUser, 'id' | 'username' | 'displayName'>>();
  const byId = new Map<string, Pick<TestUser, 'id' | 'username' | 'displayName'>>();
  const standIn: AuthStandIn = {
    url: '',
    register: (user) => {
      byUsername.set(user.username, user);
      byId.set(user.id, user);
    },
    requests: [],
    mode: 'ok',
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    standIn.requests.push({ url: req.url ?? '', headers: req.headers });
    const problem = (status: number, body: string, headers: Record<string, string> = {}) =>
      void res.writeHead(status, { 'content-type': 'application/problem+json', ...headers }).end(body);
    switch (standIn.mode) {
      case 'slow':
        return void setTimeout(() => res.end(), 5_000).unref();
      case 'garbage':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":42}');
      case 'refuse':
        return problem(401, REFUSAL, {
          'www-authenticate': 'Bearer realm="mini-backends", error="invalid_token"',
        });
      case 'failing':
        return problem(500, '{"status":500}');
      case 'ok':
        break;
    }
    const byName = /^\/users\/by-username\/([^/?]+)$/.exec(req.url ?? '');
    const byUserId = /^\/users\/([^/?]+)$/.exec(req.url ?? '');
    const user = byName
      ? byUsername.get(decodeURIComponent(byName[1] as string))
      : byUserId
        ? byId.get(decodeURIComponent(byUserId[1] as string))
        : undefined;
    if (!user) return problem(404, NOT_FOUND);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id: user.id, username: user.username, displayName: user.displayName }));
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}
