import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { baseConfigSchema, ConfigError } from '@mini/config';
import { createServiceApp } from '@mini/http';
import { createLogger } from '@mini/logger';
import { intervalJob, runService, type BackgroundJob } from '../src/index.ts';

const env = {
  NODE_ENV: 'test',
  PORT: '0',
  LOG_LEVEL: 'silent',
  DATABASE_URL: 'postgres://svc:secret@127.0.0.1:5432/svc',
  SHUTDOWN_IDLE_GRACE_MS: '0',
};

/** A logger whose lines are kept as parsed JSON. */
function captured() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    name: 'svc',
    level: 'debug',
    pretty: false,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

/** A service whose every stage writes what happened into `events`. */
function recordingService(events: string[], overrides: { createAppFails?: boolean; port?: number } = {}) {
  const { logger, lines } = captured();
  const job: BackgroundJob = {
    name: 'sweep',
    start: () => void events.push('job started'),
    stop: async () => void events.push('job stopped'),
  };
  return {
    lines,
    start: (extra: { onListen?: (server: Server) => { close(): Promise<void> } } = {}) =>
      runService({
        ...extra,
        name: 'svc',
        configSchema: baseConfigSchema,
        configDir: '/nonexistent',
        env: { ...env, PORT: String(overrides.port ?? 0) },
        ownsProcess: false,
        logger: () => logger,
        database: ({ config }) => {
          events.push(`database opened (${config.DATABASE_URL.split('@')[1]})`);
          return { close: async () => void events.push('database closed') };
        },
        revocation: ({ db }) => {
          events.push(`revocation connected${db ? ' after the database' : ''}`);
          return {
            start: () => void events.push('revocation started'),
            close: async () => void events.push('revocation closed'),
          };
        },
        jobs: ({ revocation }) => {
          events.push(`jobs made${revocation ? ' after the revocation list' : ''}`);
          return [job];
        },
        createApp: ({ config, logger: log }) => {
          events.push('app built');
          if (overrides.createAppFails) throw new Error('cannot build the app');
          return createServiceApp({ name: 'svc', config, logger: log, routes: () => {} });
        },
      }),
  };
}

describe('runService', () => {
  it('starts config -> database -> revocation -> app -> jobs -> listen, and shuts down in reverse', async () => {
    const events: string[] = [];
    const service = recordingService(events);
    const running = await service.start();
    const health = await fetch(`http://127.0.0.1:${running.port}/healthz`);
    expect(health.status).toBe(200);
    await running.close();
    expect(events).toEqual([
      'database opened (127.0.0.1:5432/svc)',
      'revocation connected after the database',
      'revocation started',
      'app built',
      'jobs made after the revocation list',
      'job started',
      'job stopped',
      'revocation closed',
      'database closed',
    ]);
  });

  it('hands the listening server to onListen, and closes what it returned before the jobs and the database', async () => {
    const events: string[] = [];
    const service = recordingService(events);
    let seen: { port: number | undefined; listening: boolean } | undefined;
    const running = await service.start({
      onListen: (server) => {
        const address = server.address();
        seen = { port: typeof address === 'object' ? address?.port : undefined, listening: server.listening };
        return { close: async () => void events.push('listeners closed') };
      },
    });
    expect(seen).toEqual({ port: running.port, listening: true });
    await running.close();
    expect(events.slice(-4)).toEqual([
      'listeners closed',
      'job stopped',
      'revocation closed',
      'database closed',
    ]);
  });

  it('logs the configuration at start with its secrets redacted', async () => {
    const service = recordingService([]);
    const running = await service.start();
    await running.close();
    const starting = service.lines.find((line) => line.msg === 'starting');
    expect(starting?.config).toMatchObject({
      PORT: 0,
      DATABASE_URL: 'postgres://svc:redacted@127.0.0.1:5432/svc',
    });
    expect(JSON.stringify(service.lines)).not.toContain('secret');
  });

  it('when the app cannot be built, no job starts, and what had started is stopped (in reverse)', async () => {
    const events: string[] = [];
    await expect(recordingService(events, { createAppFails: true }).start()).rejects.toThrow(
      'cannot build the app',
    );
    expect(events.slice(-3)).toEqual(['app built', 'revocation closed', 'database closed']);
    expect(events).not.toContain('job started');
  });

  it('when it cannot listen (port taken), stops the jobs, the revocation list and the database, and rejects', async () => {
    const first = await recordingService([]).start();
    const events: string[] = [];
    try {
      await expect(recordingService(events, { port: first.port }).start()).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
    expect(events.slice(-4)).toEqual(['job started', 'job stopped', 'revocation closed', 'database closed']);
  });

  it('when the configuration is invalid, rejects with the ConfigError naming the variable, opening nothing', async () => {
    const events: string[] = [];
    const failing = runService({
      name: 'svc',
      configSchema: baseConfigSchema,
      configDir: '/nonexistent',
      env: { ...env, PORT: 'abc' },
      ownsProcess: false,
      database: () => {
        events.push('database opened');
        return { close: () => {} };
      },
      createApp: () => {
        throw new Error('unreachable');
      },
    });
    await expect(failing).rejects.toBeInstanceOf(ConfigError);
    await expect(failing).rejects.toThrow(/PORT: expected a whole number/);
    expect(events).toEqual([]);
  });
});

describe('intervalJob', () => {
  it('runs every interval; a failed run is logged with the job name and the next runs as usual', async () => {
    const { logger, lines } = captured();
    let runs = 0;
    const job = intervalJob('flaky purge', 20, () => {
      runs += 1;
      if (runs === 1) throw new Error('database hiccup');
    });
    job.start(logger);
    await vi.waitFor(() => expect(runs).toBeGreaterThanOrEqual(3), { timeout: 5_000, interval: 10 });
    await job.stop();
    const failure = lines.find((line) => line.job === 'flaky purge');
    expect(failure).toMatchObject({ level: 40, err: { message: 'database hiccup' } });
  });

  it('with runAtStart, runs at once; never keeps the process alive; stop() waits for a run in progress', async () => {
    const { logger } = captured();
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    let finished = false;
    const job = intervalJob(
      'slow sweep',
      60_000,
      async () => {
        await delay(50).then(() => (finished = true));
      },
      { runAtStart: true },
    );
    job.start(logger);
    await new Promise((resolve) => setImmediate(resolve));
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    // The interval is unref'd: only the run's own 50 ms delay holds the loop.
    expect(timersAfter - timersBefore).toBe(1);
    await job.stop();
    expect(finished).toBe(true);
  });

  it('when a run is still going at the next tick, that tick is skipped', async () => {
    const { logger } = captured();
    let concurrent = 0;
    let most = 0;
    const job = intervalJob('slow', 10, async () => {
      concurrent += 1;
      most = Math.max(most, concurrent);
      await delay(45);
      concurrent -= 1;
    });
    job.start(logger);
    await delay(120);
    await job.stop();
    expect(most).toBe(1);
  });
});
