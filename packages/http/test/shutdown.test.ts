import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '@mini/logger';
import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { createServiceApp, startServer, trackWork } from '../src/index.ts';

const repoRoot = join(import.meta.dirname, '../../..');

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown', () => {
  it('when SIGTERM arrives during a slow request, the request finishes, new ones are refused, and the process exits 0', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures/slow-server.ts')],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: Array<Record<string, unknown>> = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const listening = new Promise<number>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        for (const part of parts) {
          const line = JSON.parse(part) as Record<string, unknown>;
          lines.push(line);
          if (line.msg === 'listening') resolve(line.port as number);
        }
      });
      child.once('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      const port = await listening;
      const slow = get(port, '/slow');
      await delay(300);
      child.kill('SIGTERM');
      await delay(200);
      await expect(get(port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      const response = await slow;
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ done: true, payload: 'x'.repeat(1000) });
      const [code] = await exited;
      expect(code).toBe(0);
      expect(lines.map((line) => line.msg)).toEqual(
        expect.arrayContaining(['signal received', 'server closed', 'onShutdown ran', 'shutdown complete']),
      );
    } finally {
      child.kill('SIGKILL');
    }
  }, 15_000);
});

describe('startServer close()', () => {
  function silentLogger() {
    return createLogger({ name: 'test', level: 'silent', pretty: false });
  }

  it('when close() is called, runs onShutdown once and stops listening', async () => {
    const logger = silentLogger();
    const app = createServiceApp({
      name: 't',
      config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: false },
      logger,
      routes: () => {},
    });
    let shutdowns = 0;
    const running = await startServer(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 1000,
      handleSignals: false,
      onShutdown: async () => {
        shutdowns += 1;
      },
    });
    expect((await get(running.port, '/healthz')).status).toBe(200);
    await Promise.all([running.close(), running.close()]);
    expect(shutdowns).toBe(1);
    expect(running.server.listening).toBe(false);
  });

  it('when a request outlives shutdownTimeoutMs, its connection is cut and close() still resolves', async () => {
    const logger = silentLogger();
    const app = createServiceApp({
      name: 't',
      config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: false },
      logger,
      routes: (a) => a.get('/hang', () => new Promise(() => {})),
    });
    const running = await startServer(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 100,
      handleSignals: false,
    });
    const hanging = get(running.port, '/hang');
    await delay(50);
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(hanging).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  /** Starts a GET; hangUp() drops the connection before the answer, as an impatient client would. */
  function getAndHangUp(port: number, path: string) {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false });
    // The hang-up surfaces on the client side as ECONNRESET: expected here.
    req.on('error', () => {});
    req.end();
    return { hangUp: () => req.destroy() };
  }

  it('when a client hangs up while tracked work still runs, close() waits for that work before onShutdown', async () => {
    const logger = silentLogger();
    const events: string[] = [];
    let ended = false;
    const query = async (label: string) => {
      if (ended) throw new Error('Cannot use a pool after calling end on the pool');
      events.push(label);
    };
    const started = Promise.withResolvers<void>();
    const settled = Promise.withResolvers<void>();
    // A plain Express handler: not api.route, so it registers its work itself.
    const report = async (res: Response) => {
      try {
        await query('first query');
        started.resolve();
        await delay(300);
        await query('second query');
        res.json({ ok: true });
      } catch (err) {
        events.push(String(err));
      } finally {
        settled.resolve();
      }
    };
    const app = createServiceApp({
      name: 't',
      config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: false },
      logger,
      routes: (a) => a.get('/report', (req, res) => trackWork(req, report(res))),
    });
    const running = await startServer(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 5000,
      handleSignals: false,
      onShutdown: async () => {
        ended = true;
        events.push('onShutdown');
      },
    });
    const client = getAndHangUp(running.port, '/report');
    await started.promise;
    client.hangUp();
    await delay(50);
    await running.close();
    await settled.promise;
    expect(events).toEqual(['first query', 'second query', 'onShutdown']);
  });

  it('when tracked work outlives shutdownTimeoutMs, close() stops waiting and runs onShutdown', async () => {
    const logger = silentLogger();
    const app = createServiceApp({
      name: 't',
      config: { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: false },
      logger,
      routes: (a) =>
        a.get('/forever', (req, res) => {
          res.json({ accepted: true });
          void trackWork(req, new Promise(() => {}));
        }),
    });
    let shutdowns = 0;
    const running = await startServer(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 150,
      handleSignals: false,
      onShutdown: async () => {
        shutdowns += 1;
      },
    });
    expect((await get(running.port, '/forever')).status).toBe(200);
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(shutdowns).toBe(1);
  });
});
