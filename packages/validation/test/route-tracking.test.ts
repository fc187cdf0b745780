import { UnauthorizedError } from '@mini/http';
import {
  fakePool,
  getAndHangUp,
  hangUpThenShutDown,
  serveForTest,
  type FakePool,
} from '@mini/http/test-support';
import express, { type RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { createApiRegistry } from '../src/index.ts';

/**
 * What api.route adds for graceful shutdown: it registers each handler, and the authentication leading to
 * it, as in-flight work, so shutdown ends the pool only after them, even when the client has hung up
 * (the server-side mechanism, trackWork and close(), is tested in @mini/http).
 */
async function serve(register: (router: express.Router, pool: FakePool) => void) {
  const events: string[] = [];
  const pool = fakePool(events);
  const router = express.Router();
  register(router, pool);
  const running = await serveForTest((a) => a.use(router), { onShutdown: () => pool.end() });
  return { running, events };
}

describe('api.route tracks its handlers as in-flight work', () => {
  it('when the client hangs up mid-request and shutdown starts, the pool is ended only after the handler finished', async () => {
    const handlerErrors: unknown[] = [];
    const started = Promise.withResolvers<void>();
    const clientGone = Promise.withResolvers<void>();
    const proceed = Promise.withResolvers<void>();
    const settled = Promise.withResolvers<void>();
    const { running, events } = await serve((router, pool) => {
      createApiRegistry({ title: 't', version: '1' }).route(router, {
        method: 'get',
        path: '/report',
        summary: 'Two queries with a pause between them',
        tags: ['t'],
        responses: { 200: { description: 'ok' } },
        handler: async ({ res }) => {
          try {
            res.once('close', () => clientGone.resolve());
            await pool.query('first query');
            started.resolve();
            await proceed.promise;
            await pool.query('second query');
            events.push('handler finished');
            return { ok: true };
          } catch (err) {
            handlerErrors.push(err);
            throw err;
          } finally {
            settled.resolve();
          }
        },
      });
    });

    const client = getAndHangUp(running.port, '/report');
    await hangUpThenShutDown(running, client, {
      started: started.promise,
      clientGone: clientGone.promise,
      proceed: () => proceed.resolve(),
    });
    await settled.promise;

    expect(handlerErrors).toEqual([]);
    expect(events).toEqual(['first query', 'second query', 'handler finished', 'pool ended']);
  });

  it('when the client hangs up while authentication is still running, the handler it leads to finishes before the pool is ended', async () => {
    const handlerErrors: unknown[] = [];
    const started = Promise.withResolvers<void>();
    const clientGone = Promise.withResolvers<void>();
    const proceed = Promise.withResolvers<void>();
    const settled = Promise.withResolvers<void>();
    const { running, events } = await serve((router, pool) => {
      // Authentication that takes a while (a JWKS fetch, a revocation look-up) before it calls next().
      const slowAuth: RequestHandler = async (req, res, next) => {
        res.once('close', () => clientGone.resolve());
        started.resolve();
        await proceed.promise;
        if (req.get('authorization') !== 'Bearer good') throw new UnauthorizedError();
        next();
      };
      createApiRegistry({ title: 't', version: '1', authenticate: slowAuth }).route(router, {
        method: 'get',
        path: '/me',
        summary: 'Me',
        tags: ['t'],
        auth: true,
        responses: { 200: { description: 'ok' } },
        handler: async () => {
          try {
            await pool.query('query after auth');
            events.push('handler finished');
            return { ok: true };
          } catch (err) {
            handlerErrors.push(err);
            throw err;
          } finally {
            settled.resolve();
          }
        },
      });
    });

    const client = getAndHangUp(running.port, '/me', { authorization: 'Bearer good' });
    await hangUpThenShutDown(running, client, {
      started: started.promise,
      clientGone: clientGone.promise,
      proceed: () => proceed.resolve(),
    });
    await settled.promise;

    expect(handlerErrors).toEqual([]);
    expect(events).toEqual(['query after auth', 'handler finished', 'pool ended']);
  });
});
