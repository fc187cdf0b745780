// Login must not block the event loop: bcrypt runs on libuv's thread pool, so while logins saturate the
// service, cheap requests such as GET /healthz should keep a low p99. This benchmark measures exactly that:
//   1. GET /healthz alone (the baseline),
//   2. POST /auth/login at full load, and GET /healthz at the same time,
//   3. the same with far more login connections than the service hashes at once (BENCH_HEAVY_CONNECTIONS,
//      48): the hashing gate answers the overflow 503 `busy`; the database pool must never starve (no 500).
// It brings its own database (DATABASE_ADMIN_URL, or the embedded Postgres), starts the auth service as
// configured for production (bcrypt cost 12) on an ephemeral port in a child process, prints requests per
// second, p50 and p99, writes bench/results/auth-login.json, and drops the database afterwards.
//   pnpm bench auth-login            (BENCH_SECONDS=10, BENCH_LOGIN_CONNECTIONS=8 to change the load)
// The logins rotate over many accounts, as real traffic does: one account gets only as many parallel
// password checks as it has attempts left before its lock (LOGIN_MAX_FAILURES_PER_ACCOUNT).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { migrate } from '../packages/db/src/index.ts';
import {
  bootstrapServiceDatabase,
  dropServiceDatabase,
  resolveAdminUrl,
  serviceUrl,
} from '../packages/dev-db/src/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// bcrypt at cost 12 takes a few hundred ms per login: 8 connections already keep the thread pool busy.
const LOGIN_CONNECTIONS = Number(process.env.BENCH_LOGIN_CONNECTIONS ?? 8);
const HEAVY_CONNECTIONS = Number(process.env.BENCH_HEAVY_CONNECTIONS ?? 48);
const HEALTH_CONNECTIONS = 4;
const ACCOUNTS = 64;

if (process.env.BENCH_AUTH_SERVER === '1') {
  await serve();
} else {
  await main();
}

/** Child process: the real auth app, production settings, listening on an ephemeral port. */
async function serve(): Promise<void> {
  const { createLogger } = await import('../packages/logger/src/index.ts');
  const { startServer } = await import('../packages/http/src/index.ts');
  const { configSchema } = await import('../apps/auth/src/config.ts');
  const { connectDatabase } = await import('../apps/auth/src/db.ts');
  const { createApp } = await import('../apps/auth/src/app.ts');
  const { generatePrivateKeyPem } = await import('../apps/auth/src/keys/key-store.ts');

  const config = configSchema.parse({
    ...process.env,
    NODE_ENV: 'production',
    // The heavy run draws thousands of deliberate 503 (busy) warnings; errors would still show.
    LOG_LEVEL: 'error',
    // The benchmark registers its accounts from one address: lift the per-IP limit on mail-sending requests.
    MAIL_LIMIT_PER_IP: '100000',
    JWT_PRIVATE_KEY: generatePrivateKeyPem(),
    PASSWORD_PEPPER: randomBytes(32).toString('base64'),
  });
  const logger = createLogger({ name: 'auth', level: config.LOG_LEVEL, pretty: false });
  const db = connectDatabase(config.DATABASE_URL, logger);
  const running = await startServer(createApp({ config, db, logger }), {
    port: 0,
    host: '127.0.0.1',
    logger,
    shutdownTimeoutMs: 5_000,
    limits: config,
    onShutdown: () => db.close(),
  });
  process.send?.({ port: running.port, bcryptCost: config.BCRYPT_COST });
}

interface Figures {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Answers by status code, e.g. { "200": 60, "503": 1200 }. */
  statuses: Record<string, number>;
}

function figures(result: autocannon.Result): Figures {
  return {
    requestsPerSec: Math.round(result.requests.average * 10) / 10,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
    ),
  };
}

function load(options: autocannon.Options): Promise<autocannon.Result> {
  // A saturated login queue makes each login slow by design; that is not a timeout.
  return autocannon({ timeout: 60, ...options, duration: options.duration ?? SECONDS });
}

function print(name: string, f: Figures): void {
  console.log(
    `${name.padEnd(30)} ${String(f.requestsPerSec).padStart(8)} req/s   p50 ${String(f.p50Ms).padStart(5)} ms   p99 ${String(f.p99Ms).padStart(5)} ms   non-2xx ${f.non2xx}   errors ${f.errors}   ${Object.entries(
      f.statuses,
    )
      .map(([code, n]) => `${code}: ${n}`)
      .join(', ')}`,
  );
}

async function main(): Promise<void> {
  const admin = await resolveAdminUrl({ rootDir: ROOT });
  const name = `auth_bench_${randomBytes(4).toString('hex')}`;
  const service = { role: name, database: name, password: randomBytes(12).toString('hex') };
  await bootstrapServiceDatabase(admin.adminUrl, service);
  const databaseUrl = serviceUrl(admin.adminUrl, service);
  const child = fork(import.meta.filename, [], {
    env: { ...process.env, BENCH_AUTH_SERVER: '1', DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    await migrate({ url: databaseUrl, migrationsDir: path.join(ROOT, 'apps/auth/prisma/migrations') });
    const { port, bcryptCost } = await new Promise<{ port: number; bcryptCost: number }>(
      (resolve, reject) => {
        child.once('message', (message) => resolve(message as { port: number; bcryptCost: number }));
        child.once('exit', (code) => reject(new Error(`the auth server exited with ${code}`)));
      },
    );
    const base = `http://127.0.0.1:${port}`;

    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({
      email: `bench-${i}-${name}@example.com`,
      username: `${name}_${i}`,
      password: 'a benchmark passphrase',
    }));
    // Three at a time: the hashing gate would refuse a burst of registrations, as it refuses logins.
    for (let i = 0; i < accounts.length; i += 3) {
      await Promise.all(
        accounts.slice(i, i + 3).map(async (account) => {
          const registered = await fetch(`${base}/auth/register`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(account),
          });
          if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
        }),
      );
    }
    const bodies = accounts.map(({ email, password }) => JSON.stringify({ email, password }));
    let nextAccount = 0;
    const loginRequest = {
      url: `${base}/auth/login`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (req: autocannon.Request) => ({
            ...req,
            body: bodies[nextAccount++ % bodies.length],
          }),
        },
      ],
    };

    console.log(
      `auth login benchmark: bcrypt cost ${bcryptCost}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 4}, ` +
        `${os.cpus().length} CPUs, ${SECONDS} s per run, ${LOGIN_CONNECTIONS} login connections`,
    );
    // Warm-up: JIT, the pool's connections, bcrypt's first hashes.
    await load({ ...loginRequest, connections: 4, duration: 2 });
    await load({ url: `${base}/healthz`, connections: HEALTH_CONNECTIONS, duration: 1 });

    const healthAlone = figures(await load({ url: `${base}/healthz`, connections: HEALTH_CONNECTIONS }));
    print('GET /healthz alone', healthAlone);

    const [login, healthDuringLogin] = (
      await Promise.all([
        load({ ...loginRequest, connections: LOGIN_CONNECTIONS }),
        load({ url: `${base}/healthz`, connections: HEALTH_CONNECTIONS }),
      ])
    ).map(figures) as [Figures, Figures];
    print('POST /auth/login (saturated)', login);
    print('GET /healthz during logins', healthDuringLogin);

    const [heavyLogin, healthDuringHeavyLogin] = (
      await Promise.all([
        load({ ...loginRequest, connections: HEAVY_CONNECTIONS }),
        load({ url: `${base}/healthz`, connections: HEALTH_CONNECTIONS }),
      ])
    ).map(figures) as [Figures, Figures];
    print(`POST /auth/login (${HEAVY_CONNECTIONS} conns)`, heavyLogin);
    print('GET /healthz during heavy', healthDuringHeavyLogin);

    const results = {
      benchmark: 'auth-login',
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      bcryptCost,
      uvThreadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
      secondsPerRun: SECONDS,
      loginConnections: LOGIN_CONNECTIONS,
      healthConnections: HEALTH_CONNECTIONS,
      healthzAlone: healthAlone,
      login,
      healthzDuringLogin: healthDuringLogin,
      heavyLoginConnections: HEAVY_CONNECTIONS,
      heavyLogin,
      healthzDuringHeavyLogin: healthDuringHeavyLogin,
    };
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/auth-login.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('written to bench/results/auth-login.json');
    if (login.non2xx > 0 || login.errors > 0) {
      console.error('some logins failed: the figures above do not measure what they should');
      process.exitCode = 1;
    }
    // Overload may be refused (503 busy; 429 when one account has more checks in progress than attempts
    // left, as autocannon's instant retries pile several on one account), never fail: no 500, no timeout.
    const failedHeavy = Object.entries(heavyLogin.statuses).filter(
      ([code]) => !code.startsWith('2') && code !== '503' && code !== '429',
    );
    if (failedHeavy.length > 0 || heavyLogin.errors > 0) {
      console.error(`the heavy run had failures besides 503 busy and 429: ${JSON.stringify(heavyLogin)}`);
      process.exitCode = 1;
    }
  } finally {
    // Let the logins still queued for bcrypt finish before the server and its pool shut down.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await dropServiceDatabase(admin.adminUrl, service);
    await admin.release();
  }
}
