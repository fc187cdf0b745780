// `pnpm chaos [fault ...] [--quick] [--skip-build]`: faults under load, a table at the end (issue 7).
// Builds the services, starts auth and tasks the production way (built bundles, NODE_ENV=production) on
// fresh databases of their own, with their Postgres and Redis connections going through TCP proxies this
// tool controls, puts steady bounded load on them (autocannon, 127.0.0.1 only), injects each fault, and
// prints one row per fault. Results go to bench/results/chaos.json; the services' logs to a temporary
// folder (printed). Everything it created is removed at the end, whatever happened.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../packages/db/src/index.ts';
import {
  bootstrapServiceDatabase,
  dropServiceDatabase,
  resolveAdminUrl,
  serviceUrl,
} from '../../packages/dev-db/src/index.ts';
import { startTcpProxy, type TcpProxy } from '../../packages/testing/src/tcp-proxy.ts';
import { generatePrivateKeyPem } from '../../apps/auth/src/keys/key-store.ts';
import { FAULTS, type Account, type ChaosContext } from './faults.ts';
import { countEvents, formatTable, type Row } from './report.ts';
import { freePort, Service } from './services.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHUTDOWN_TIMEOUT_MS = 10_000;
const PASSWORD = 'a chaos engineering passphrase';

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const quick = args.includes('--quick');
const skipBuild = args.includes('--skip-build');
const unknownFlags = args.filter(
  (arg) => arg.startsWith('--') && arg !== '--quick' && arg !== '--skip-build',
);
const wanted = args.filter((arg) => !arg.startsWith('--'));
const unknown = wanted.filter((name) => !(name in FAULTS));
if (unknownFlags.length > 0 || unknown.length > 0) {
  console.error(
    `unknown ${[...unknownFlags, ...unknown].join(', ')}\n` +
      `usage: pnpm chaos [fault ...] [--quick] [--skip-build]; faults: ${Object.keys(FAULTS).join(', ')}`,
  );
  process.exit(2);
}
const selected =
  wanted.length === 0 ? Object.keys(FAULTS) : Object.keys(FAULTS).filter((f) => wanted.includes(f));

if (!skipBuild) {
  console.log('--- pnpm build');
  const build = spawnSync('pnpm', ['build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const admin = await resolveAdminUrl({ rootDir: ROOT });
const suffix = randomBytes(4).toString('hex');
const databases = (['auth', 'tasks'] as const).map((name) => ({
  role: `chaos_${name}_${suffix}`,
  database: `chaos_${name}_${suffix}`,
  password: randomBytes(12).toString('hex'),
}));
const [authDatabase, tasksDatabase] = databases as [(typeof databases)[0], (typeof databases)[0]];
const logDir = mkdtempSync(path.join(os.tmpdir(), 'mini-chaos-'));
const proxies: TcpProxy[] = [];
const services: Service[] = [];
const rows: Row[] = [];
let failed = true;

try {
  for (const [service, db] of [
    ['auth', authDatabase],
    ['tasks', tasksDatabase],
  ] as const) {
    await bootstrapServiceDatabase(admin.adminUrl, db);
    await migrate({
      url: serviceUrl(admin.adminUrl, db),
      migrationsDir: path.join(ROOT, 'apps', service, 'prisma/migrations'),
    });
  }
  const pgTarget = new URL(admin.adminUrl);
  const postgres = { host: pgTarget.hostname, port: Number(pgTarget.port || 5432) };
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const redis = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) };
  const [authDb, tasksDb, authRedis, tasksRedis] = await Promise.all([
    startTcpProxy(postgres),
    startTcpProxy(postgres),
    startTcpProxy(redis),
    startTcpProxy(redis),
  ]);
  proxies.push(authDb, tasksDb, authRedis, tasksRedis);

  const [authPort, tasksPort] = [await freePort(), await freePort()];
  const common = { LOG_LEVEL: 'warn', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) };
  const auth = new Service(
    'auth',
    authPort,
    {
      ...common,
      DATABASE_URL: authDb.urlFor(serviceUrl(admin.adminUrl, authDatabase)),
      REDIS_URL: authRedis.urlFor(redisUrl.toString()),
      JWT_PRIVATE_KEY: generatePrivateKeyPem(),
      PASSWORD_PEPPER: randomBytes(32).toString('base64'),
      // One token serves the whole run, however long it takes on a slow machine.
      ACCESS_TOKEN_TTL_SECONDS: '3600',
    },
    path.join(logDir, 'auth.log'),
  );
  const tasks = new Service(
    'tasks',
    tasksPort,
    {
      ...common,
      DATABASE_URL: tasksDb.urlFor(serviceUrl(admin.adminUrl, tasksDatabase)),
      REDIS_URL: tasksRedis.urlFor(redisUrl.toString()),
      AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json`,
      AUTH_URL: `http://127.0.0.1:${authPort}`,
    },
    path.join(logDir, 'tasks.log'),
  );
  services.push(auth, tasks);
  await auth.start();
  await tasks.start();
  console.log(`auth on ${auth.baseUrl}, tasks on ${tasks.baseUrl}; logs in ${logDir}`);

  const ctx = await seed({ quick, auth, tasks, authDb, tasksDb, authRedis, tasksRedis });
  for (const name of selected) {
    const fault = FAULTS[name];
    if (!fault) continue;
    console.log(`--- ${name}`);
    let result: Row;
    try {
      result = await fault(ctx);
    } catch (err) {
      result = {
        fault: name,
        expectation: 'the fault ran to its end',
        counts: countEvents([]),
        exits: 0,
        recoveryMs: null,
        pass: false,
        notes: [`the tool failed: ${err instanceof Error ? err.stack : String(err)}`],
        details: {},
      };
    }
    rows.push(result);
    console.log(formatTable([result]));
    // The next fault starts from healthy services, whatever this one left behind.
    for (const service of [auth, tasks]) if (!service.running) await service.start();
  }

  console.log(
    `\n=== pnpm chaos${quick ? ' --quick' : ''}: ${os.cpus().length} CPUs, load ${os.loadavg().join(' ')}\n`,
  );
  console.log(formatTable(rows));
  failed = rows.some((r) => !r.pass);
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    path.join(ROOT, 'bench/results/chaos.json'),
    `${JSON.stringify(
      {
        benchmark: 'chaos',
        date: new Date().toISOString(),
        node: process.version,
        cpus: os.cpus().length,
        quick,
        rows,
      },
      null,
      2,
    )}\n`,
  );
  console.log('\nwritten to bench/results/chaos.json');
} catch (err) {
  console.error(err);
} finally {
  await Promise.all(services.map((s) => s.stop().then(() => s.close())));
  await Promise.all(proxies.map((p) => p.close()));
  for (const db of databases) await dropServiceDatabase(admin.adminUrl, db).catch(() => {});
  await admin.release();
}
process.exit(failed ? 1 : 0);

/** Accounts, the owner's token and a project: what the load streams need. */
async function seed(parts: {
  quick: boolean;
  auth: Service;
  tasks: Service;
  authDb: TcpProxy;
  tasksDb: TcpProxy;
  authRedis: TcpProxy;
  tasksRedis: TcpProxy;
}): Promise<ChaosContext> {
  const { auth, tasks } = parts;
  const post = async (url: string, body: unknown, token?: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`POST ${url} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const account = (name: string): Account & { username: string } => ({
    email: `${name}-${suffix}@example.com`,
    username: `${name}_${suffix}`,
    password: PASSWORD,
  });
  const owner = account('owner');
  const victim = account('victim');
  const logins = Array.from({ length: 6 }, (_, i) => account(`login${i}`));
  // One at a time: registration hashes a password, and the hashing gate refuses bursts.
  for (const a of [owner, victim, ...logins]) await post(`${auth.baseUrl}/auth/register`, a);
  const { accessToken } = (await post(`${auth.baseUrl}/auth/login`, {
    email: owner.email,
    password: PASSWORD,
  })) as { accessToken: string };
  const project = await post(`${tasks.baseUrl}/projects`, { name: 'Chaos' }, accessToken);
  for (let i = 0; i < 20; i++) {
    await post(`${tasks.baseUrl}/projects/${String(project.id)}/tasks`, { title: `seed ${i}` }, accessToken);
  }
  return {
    quick: parts.quick,
    auth,
    tasks,
    proxies: {
      authDb: parts.authDb,
      tasksDb: parts.tasksDb,
      authRedis: parts.authRedis,
      tasksRedis: parts.tasksRedis,
    },
    adminUrl: admin.adminUrl,
    databases: databases.map((d) => d.database),
    ownerToken: accessToken,
    projectId: String(project.id),
    loginAccounts: logins.map(({ email, password }) => ({ email, password })),
    victim: { email: victim.email, password: victim.password },
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
  };
}
