import { request as httpRequest } from 'node:http';
import type { Express } from 'express';
import { createLogger } from '@mini/logger';
import { createServiceApp } from './app.ts';
import { startServer, type RunningServer, type StartServerOptions } from './server.ts';

/**
 * Helpers for tests of graceful shutdown, here and in packages built on this one (`@mini/http/test-support`):
 * a client that hangs up mid-request, and a pool that, like pg's, refuses queries once ended.
 */

/** Stands in for a pg pool: like pg, it refuses queries once end() has been called. */
export function fakePool(events: string[]) {
  let ended = false;
  return {
    async query(label: string) {
      if (ended) throw new Error('Cannot use a pool after calling end on the pool');
      events.push(label);
    },
    async end() {
      ended = true;
      events.push('pool ended');
    },
  };
}

export type FakePool = ReturnType<typeof fakePool>;

/** Sends a GET; hangUp() drops the connection before the answer, as an impatient client or a proxy would. */
export function getAndHangUp(port: number, path: string, headers: Record<string, string> = {}) {
  const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false });
  // Our own hang-up surfaces as ECONNRESET / socket hang up on the client side; it is the point.
  req.on('error', () => {});
  req.end();
  return { hangUp: () => req.destroy() };
}

/**
 * Hangs the client up once the handler has started, waits for the server to see it gone, then shuts down.
 * `proceed` lets the handler go on only once the server has closed: the moment an untracked handler
 * would find its pool ended.
 */
export async function hangUpThenShutDown(
  running: Pick<RunningServer, 'close' | 'server'>,
  client: { hangUp(): void },
  gates: { started: Promise<void>; clientGone: Promise<void>; proceed: () => void },
): Promise<void> {
  await gates.started;
  client.hangUp();
  await gates.clientGone;
  const closing = running.close();
  running.server.once('close', gates.proceed);
  await closing;
}

const silent = createLogger({ name: 'test', level: 'silent', pretty: false });

/**
 * The kit's app around `routes`, listening on a free loopback port with no signal handlers: for tests of
 * what happens on a real connection (hang-ups, keep-alive, shutdown). `options` override startServer's.
 */
export async function serveForTest(
  routes: (app: Express) => void,
  options: Partial<StartServerOptions> = {},
): Promise<RunningServer> {
  const app = createServiceApp({
    name: 't',
    config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: false },
    logger: silent,
    routes,
  });
  return startServer(app, {
    port: 0,
    host: '127.0.0.1',
    logger: silent,
    shutdownTimeoutMs: 5000,
    handleSignals: false,
    ...options,
  });
}
