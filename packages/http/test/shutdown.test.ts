import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '@mini/logger';
import type { Express, Response } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, startServer, trackWork, type RunningServer } from '../src/index.ts';
import { fakePool, getAndHangUp, hangUpThenShutDown, serveForTest } from '../src/test-support.ts';

const repoRoot = join(import.meta.dirname, '../../..');

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the request went out on a connection an earlier request had used (keep-alive). */
  reusedSocket: boolean;
}

/** A GET; `agent: false` opens a connection of its own, a keep-alive Agent reuses its idle ones. */
function get(port: number, path: string, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reusedSocket: req.reusedSocket }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The service's JSON log lines, and a way to wait for one. */
function logLines(stdout: NodeJS.ReadableStream) {
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  let buffer = '';
  stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) {
      const line = JSON.parse(part) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) waiter.resolve(line);
    }
  });
  return {
    lines,
    messages: () => lines.map((line) => line.msg),
    /** Resolves with the first line whose `msg` is `msg`, already written or still to come. */
    waitFor(msg: string): Promise<Record<string, unknown>> {
      const seen = lines.find((line) => line.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ msg, resolve }));
    },
  };
}

/** test/fixtures/shutdown-server.ts in a process of its own, shut down by real signals. */
async function startService() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'fixtures/shutdown-server.ts')],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const log = logLines(child.stdout);
  const listening = await Promise.race([
    log.waitFor('listening'),
    exited.then(() => {
      throw new Error(`the service exited before listening: ${stderr}`);
    }),
  ]);
  return { child, log, exited, port: listening.port as number, stderr: () => stderr };
}

describe('graceful shutdown on SIGTERM', () => {
  it('when SIGTERM arrives during a request, that request is answered with Connection: close, new connections are refused, and the process exits 0', async () => {
    const service = await startService();
    const agent = new Agent({ keepAlive: true });
    try {
      const inFlight = get(service.port, '/until-sigterm', agent);
      await service.log.waitFor('until-sigterm request started');
      service.child.kill('SIGTERM');
      await service.log.waitFor('shutting down: no new connections');
      await expect(get(service.port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ done: true, payload: 'x'.repeat(1000) });
      // Asked over keep-alive, answered after shutdown began: the client must not send another on it.
      expect(answer.headers.connection).toBe('close');
      const [code] = await service.exited;
      expect(code).toBe(0);
      expect(service.log.messages()).toEqual(
        expect.arrayContaining(['signal received', 'server closed', 'onShutdown ran', 'shutdown complete']),
      );
    } finally {
      agent.destroy();
      service.child.kill('SIGKILL');
    }
  }, 15_000);

  it('when keep-alive clients fire requests continuously through SIGTERM, none fails, each one last hears Connection: close, and onShutdown runs after the last handler', async () => {
    const service = await startService();
    const clients = 16;
    let answered = 0;
    const enoughAnswers = Promise.withResolvers<void>();
    const failures: string[] = [];
    const lastAnswers: Array<Answer | undefined> = [];

    // One keep-alive connection per client, each sending its next request as soon as it has an answer,
    // until it needs a new connection and the listening socket refuses it (the service is going away).
    const fire = async (client: number) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (;;) {
          let answer: Answer;
          try {
            answer = await get(service.port, '/work', agent);
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? String(err);
            if (code !== 'ECONNREFUSED') failures.push(code);
            return;
          }
          if (answer.status !== 200) failures.push(`status ${answer.status}`);
          lastAnswers[client] = answer;
          answered += 1;
          if (answered === 200) enoughAnswers.resolve();
        }
      } finally {
        agent.destroy();
      }
    };

    try {
      const firing = Promise.all(Array.from({ length: clients }, (_, client) => fire(client)));
      await enoughAnswers.promise;
      service.child.kill('SIGTERM');
      await firing;
      const [code] = await service.exited;

      expect(failures).toEqual([]);
      expect(code).toBe(0);
      expect(lastAnswers.map((answer) => answer?.headers.connection)).toEqual(
        Array.from({ length: clients }, () => 'close'),
      );
      expect((await service.log.waitFor('onShutdown ran')).handlersRunning).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
    }
  }, 30_000);
});

describe('startServer close()', () => {
  const agents: Agent[] = [];
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.destroy();
    await Promise.all(servers.splice(0).map((running) => running.close()));
  });

  function keepAliveAgent(): Agent {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return agent;
  }

  async function serve(
    routes: (app: Express) => void,
    options: Partial<Parameters<typeof startServer>[1]> = {},
  ): Promise<RunningServer> {
    const running = await serveForTest(routes, options);
    servers.push(running);
    return running;
  }

  it('when close() is called, runs onShutdown once and stops listening', async () => {
    let shutdowns = 0;
    const running = await serve(() => {}, {
      onShutdown: async () => {
        shutdowns += 1;
      },
    });
    expect((await get(running.port, '/healthz')).status).toBe(200);
    await Promise.all([running.close(), running.close()]);
    expect(shutdowns).toBe(1);
    expect(running.server.listening).toBe(false);
  });

  it('when shutdown starts, a request sent on an idle keep-alive connection is still answered, with Connection: close', async () => {
    const running = await serve(() => {}, { limits: { SHUTDOWN_IDLE_GRACE_MS: 10_000 } });
    const agent = keepAliveAgent();
    const before = await get(running.port, '/healthz', agent);
    expect(before.headers.connection).toBe('keep-alive');

    const closing = running.close();
    const after = await get(running.port, '/healthz', agent);
    expect(after.reusedSocket).toBe(true);
    expect(after.status).toBe(200);
    expect(after.headers.connection).toBe('close');
    // That was the connection's last request: with it closed, shutdown needs no grace period.
    await closing;
  });

  it('when shutdown starts, /readyz answers 503 shutting-down, so load balancers stop sending traffic', async () => {
    const running = await serve(() => {}, { limits: { SHUTDOWN_IDLE_GRACE_MS: 10_000 } });
    const agent = keepAliveAgent();
    expect((await get(running.port, '/readyz', agent)).status).toBe(200);

    const closing = running.close();
    const answer = await get(running.port, '/readyz', agent);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 503, code: 'shutting-down' });
    await closing;
  });

  it('when a keep-alive connection stays idle after shutdown starts, it is closed only after SHUTDOWN_IDLE_GRACE_MS, and close() then resolves', async () => {
    const graceMs = 300;
    const running = await serve(() => {}, { limits: { SHUTDOWN_IDLE_GRACE_MS: graceMs } });
    const agent = keepAliveAgent();
    const started = performance.now();
    const answer = await get(running.port, '/healthz', agent);
    expect(answer.headers.connection).toBe('keep-alive');
    const socket = Object.values(agent.freeSockets).flat()[0];
    expect(socket).toBeDefined();
    const socketClosed = once(socket as Socket, 'close');

    await running.close();
    await socketClosed;
    // A lower bound only: the connection was idle from at most `started` on, and a loaded machine only
    // makes the wait longer.
    expect(performance.now() - started).toBeGreaterThanOrEqual(graceMs);
  });

  it('when a request outlives shutdownTimeoutMs, its connection is cut and close() still resolves', async () => {
    const arrived = Promise.withResolvers<void>();
    const running = await serve(
      (a) =>
        a.get('/hang', () => {
          arrived.resolve();
          return new Promise(() => {});
        }),
      { shutdownTimeoutMs: 100 },
    );
    const hanging = get(running.port, '/hang');
    await arrived.promise;
    await running.close();
    await expect(hanging).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('when a client hangs up while tracked work still runs, close() waits for that work before onShutdown', async () => {
    const events: string[] = [];
    const pool = fakePool(events);
    const started = Promise.withResolvers<void>();
    const clientGone = Promise.withResolvers<void>();
    const proceed = Promise.withResolvers<void>();
    const settled = Promise.withResolvers<void>();
    // A plain Express handler: not api.route, so it registers its work itself.
    const report = async (res: Response) => {
      try {
        await pool.query('first query');
        started.resolve();
        await proceed.promise;
        await pool.query('second query');
        res.json({ ok: true });
      } catch (err) {
        events.push(String(err));
      } finally {
        settled.resolve();
      }
    };
    const running = await serve(
      (a) =>
        a.get('/report', (req, res) => {
          res.once('close', () => clientGone.resolve());
          return trackWork(req, report(res));
        }),
      { onShutdown: () => pool.end() },
    );
    await hangUpThenShutDown(running, getAndHangUp(running.port, '/report'), {
      started: started.promise,
      clientGone: clientGone.promise,
      proceed: () => proceed.resolve(),
    });
    await settled.promise;
    expect(events).toEqual(['first query', 'second query', 'pool ended']);
  });

  it('when tracked work outlives shutdownTimeoutMs, close() stops waiting and runs onShutdown', async () => {
    let shutdowns = 0;
    const running = await serve(
      (a) =>
        a.get('/forever', (req, res) => {
          res.json({ accepted: true });
          void trackWork(req, new Promise(() => {}));
        }),
      {
        shutdownTimeoutMs: 150,
        onShutdown: async () => {
          shutdowns += 1;
        },
      },
    );
    expect((await get(running.port, '/forever')).status).toBe(200);
    const started = performance.now();
    await running.close();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(shutdowns).toBe(1);
  });
});

describe('startServer timeouts', () => {
  const logger = createLogger({ name: 'test', level: 'silent', pretty: false });
  const config = { NODE_ENV: 'test', CORS_ORIGINS: [], BODY_LIMIT: '1kb', TRUST_PROXY: false as const };

  it('when a client sends its headers byte by byte (slowloris), the server answers 408 and closes the socket after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const app = createServiceApp({ name: 't', config, logger, routes: () => {} });
    const running = await startServer(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      shutdownTimeoutMs: 1000,
      handleSignals: false,
      limits: { HTTP_HEADERS_TIMEOUT_MS: 300, HTTP_REQUEST_TIMEOUT_MS: 1000 },
    });
    const socket = connect(running.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    const closed = once(socket, 'close');
    await once(socket, 'connect');
    // A header that never ends, one byte every 50 ms: each byte is progress, none completes the request.
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => socket.write('a'), 50);
    try {
      await closed;
    } finally {
      clearInterval(drip);
      await running.close();
    }
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  }, 15_000);
});
