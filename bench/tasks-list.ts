// Benchmark of the tasks list endpoint against its ceiling and its floor (not a timed test):
//   1. bare node:http returning JSON         - what this machine's HTTP stack can do at all
//   2. plain Express 5 answering /healthz     - what the framework alone costs
//   3. the kit's /healthz on the tasks app   - what the kit's middleware adds (helmet, ids, metrics, logs)
//   4. GET /projects/:id/tasks (the endpoint) - authenticated, filtered, sorted, a page of 20
//   5. the floor: the same SQL via plain pg in a bare node:http handler
//   6. and 7. the endpoint and its floor again with a descending sort (priority desc)
// Each server runs in its own process; each measurement runs a warm-up first, then 32 connections.
// The machine is shared and noisy, so only ratios between rows of the same round mean anything:
// BENCH_ROUNDS=3 repeats the rows three times over the same servers and data and reports each ratio's median.
// Database: DATABASE_ADMIN_URL when set, otherwise the embedded Postgres of this checkout.
import { createSign, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../packages/db/src/index.ts';
import {
  bootstrapServiceDatabase,
  dropServiceDatabase,
  releaseOnExit,
  resolveAdminUrl,
  serviceUrl,
} from '../packages/dev-db/src/index.ts';
import { startChild, type Child } from './lib/child.ts';
import { measure, type Measurement } from './lib/measure.ts';
import { seedTasks } from './lib/seed-tasks.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const CONNECTIONS = 32;
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const SIZE = { projects: 1_000, tasksPerProject: 100 };
const LIST_QUERY = 'status=todo,in_progress&sort=due&limit=20';
// A descending sort: read backwards off the (project_id, priority, id) index, with no sort step.
const DESC_QUERY = 'status=todo,in_progress&sort=priority&order=desc&limit=20';
const ISSUER = 'http://auth.bench';
const PROFILE_DIR = path.join(os.tmpdir(), 'tasks-bench-profiles');
const AUDIENCE = 'mini-backends';

// ES256 tokens signed here with a throw-away key, exactly as the auth service would sign them.
const { privateKey, publicKey } = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

function tokenFor(sub: string, username: string): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'ES256', typ: 'JWT', kid: 'bench' });
  const body = b64({
    sub,
    role: 'user',
    username,
    sid: randomUUID(),
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 3600,
  });
  const signature = createSign('SHA256')
    .update(`${head}.${body}`)
    .sign({ key: privateKey, dsaEncoding: 'ieee-p1363' })
    .toString('base64url');
  return `${head}.${body}.${signature}`;
}

const round = (value: number) => Math.round(value * 100) / 100;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** The ratios the targets are about, all between rows of one round. */
interface RoundRatios {
  expressToBare: number;
  kitHealthzToBare: number;
  kitHealthzToExpress: number;
  listToFloor: number;
  listP99ToFloorP99: number;
  descendingListToFloor: number;
  descendingListP99ToFloorP99: number;
}

async function main(): Promise<void> {
  const admin = await resolveAdminUrl({ rootDir: ROOT });
  releaseOnExit(admin);
  const service = { role: 'tasks_bench', database: 'tasks_bench', password: randomBytes(12).toString('hex') };
  const children: Child[] = [];
  try {
    // A fresh database per run, so the figures never depend on what an earlier run left behind.
    await dropServiceDatabase(admin.adminUrl, service);
    await bootstrapServiceDatabase(admin.adminUrl, service);
    const url = serviceUrl(admin.adminUrl, service);
    await migrate({ url, migrationsDir: path.join(ROOT, 'apps/tasks/prisma/migrations') });

    let started = Date.now();
    const seeded = await seedTasks(url, SIZE);
    console.log(`seeded ${SIZE.projects} projects and ${seeded.tasks} tasks in ${Date.now() - started} ms`);
    const versionRow = await new pg.Client({ connectionString: url });
    await versionRow.connect();
    const pgVersion = (await versionRow.query<{ server_version: string }>('SHOW server_version')).rows[0]
      ?.server_version;
    await versionRow.end();

    // Rotate over 500 (member, project) pairs so the run is not one hot row.
    const pairs = seeded.pairs.filter((_, i) => i % 8 === 0).slice(0, 500);
    const tokens = new Map(pairs.map((p) => [p.userId, tokenFor(p.userId, p.username)]));
    let i = 0;
    const nextPair = () => pairs[i++ % pairs.length] as (typeof pairs)[number];

    started = Date.now();
    const [bare, plainExpress, app, floor] = await Promise.all([
      startChild(path.join(import.meta.dirname, 'lib/servers/bare.ts'), {}),
      startChild(path.join(import.meta.dirname, 'lib/servers/express.ts'), {}),
      startChild(path.join(import.meta.dirname, 'lib/servers/tasks-app.ts'), {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        DATABASE_URL: url,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_PUBLIC_KEY: publicKey,
        // BENCH_PROFILE=1: a CPU profile of the app (open it in Chrome DevTools or speedscope).
        ...(process.env.BENCH_PROFILE && { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` }),
      }),
      startChild(path.join(import.meta.dirname, 'lib/servers/floor.ts'), { DATABASE_URL: url }),
    ]);
    children.push(bare, plainExpress, app, floor);
    console.log(
      `servers up in ${Date.now() - started} ms; ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up, ${DURATION_SECONDS} s measured, ${ROUNDS} round(s)\n`,
    );

    // One request first, to fail loudly on a wiring mistake instead of measuring 401s.
    const probe = nextPair();
    const check = await fetch(
      `http://127.0.0.1:${app.port}/projects/${probe.projectId}/tasks?${LIST_QUERY}`,
      {
        headers: { authorization: `Bearer ${tokens.get(probe.userId)}` },
      },
    );
    if (check.status !== 200) throw new Error(`list probe answered ${check.status}: ${await check.text()}`);
    const sample = (await check.json()) as { items: unknown[] };
    if (sample.items.length === 0) throw new Error('list probe returned no tasks; the seed is wrong');
    const descCheck = await fetch(
      `http://127.0.0.1:${app.port}/projects/${probe.projectId}/tasks?${DESC_QUERY}`,
      { headers: { authorization: `Bearer ${tokens.get(probe.userId)}` } },
    );
    const descSample = (await descCheck.json()) as { items: Array<{ priority: string }> };
    if (descCheck.status !== 200 || descSample.items[0]?.priority !== 'urgent') {
      throw new Error(`descending probe answered ${descCheck.status}: ${JSON.stringify(descSample)}`);
    }

    const timing = {
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_SECONDS,
      durationSeconds: DURATION_SECONDS,
    };
    const rounds: Array<{ results: Measurement[]; ratios: RoundRatios }> = [];
    for (let n = 1; n <= ROUNDS; n++) {
      if (ROUNDS > 1) console.log(`round ${n} of ${ROUNDS}`);
      const results: Measurement[] = [];
      const bareResult = await measure('bare node:http JSON', {
        url: `http://127.0.0.1:${bare.port}/`,
        ...timing,
      });
      const expressResult = await measure('plain Express 5 /healthz', {
        url: `http://127.0.0.1:${plainExpress.port}/healthz`,
        ...timing,
      });
      const kitResult = await measure('kit /healthz', {
        url: `http://127.0.0.1:${app.port}/healthz`,
        ...timing,
      });
      results.push(bareResult, expressResult, kitResult);
      const list = await measure('tasks list (auth, filter, 20)', {
        url: `http://127.0.0.1:${app.port}`,
        ...timing,
        next: () => {
          const pair = nextPair();
          return {
            path: `/projects/${pair.projectId}/tasks?${LIST_QUERY}`,
            headers: { authorization: `Bearer ${tokens.get(pair.userId)}` },
          };
        },
      });
      const floorResult = await measure('floor: same SQL, plain pg', {
        url: `http://127.0.0.1:${floor.port}`,
        ...timing,
        next: () => {
          const pair = nextPair();
          return {
            path: `/projects/${pair.projectId}/tasks?${LIST_QUERY}`,
            headers: { 'x-user-id': pair.userId },
          };
        },
      });
      const descList = await measure('tasks list, priority desc', {
        url: `http://127.0.0.1:${app.port}`,
        ...timing,
        next: () => {
          const pair = nextPair();
          return {
            path: `/projects/${pair.projectId}/tasks?${DESC_QUERY}`,
            headers: { authorization: `Bearer ${tokens.get(pair.userId)}` },
          };
        },
      });
      const descFloor = await measure('floor, priority desc', {
        url: `http://127.0.0.1:${floor.port}`,
        ...timing,
        next: () => {
          const pair = nextPair();
          return {
            path: `/projects/${pair.projectId}/tasks?${DESC_QUERY}`,
            headers: { 'x-user-id': pair.userId },
          };
        },
      });
      results.push(list, floorResult, descList, descFloor);
      const ratios: RoundRatios = {
        expressToBare: round(expressResult.requestsPerSec / bareResult.requestsPerSec),
        kitHealthzToBare: round(kitResult.requestsPerSec / bareResult.requestsPerSec),
        kitHealthzToExpress: round(kitResult.requestsPerSec / expressResult.requestsPerSec),
        listToFloor: round(list.requestsPerSec / floorResult.requestsPerSec),
        // autocannon reports latency in whole milliseconds; 1 ms keeps a 0 ms floor from dividing by zero.
        listP99ToFloorP99: round(list.p99Ms / Math.max(1, floorResult.p99Ms)),
        descendingListToFloor: round(descList.requestsPerSec / descFloor.requestsPerSec),
        descendingListP99ToFloorP99: round(descList.p99Ms / Math.max(1, descFloor.p99Ms)),
      };
      console.log(
        `\nplain Express / bare ${ratios.expressToBare}, kit /healthz / bare ${ratios.kitHealthzToBare}, ` +
          `kit /healthz / plain Express ${ratios.kitHealthzToExpress}\n` +
          `list / floor: throughput ${ratios.listToFloor}, p99 ${ratios.listP99ToFloorP99}; ` +
          `descending list / floor: throughput ${ratios.descendingListToFloor}, p99 ${ratios.descendingListP99ToFloorP99}\n`,
      );
      rounds.push({ results, ratios });
    }

    const ratioNames = Object.keys(rounds[0]!.ratios) as Array<keyof RoundRatios>;
    const medians = Object.fromEntries(
      ratioNames.map((name) => [name, round(median(rounds.map((r) => r.ratios[name])))]),
    ) as unknown as RoundRatios;
    const targets = {
      kitHealthzAtLeast085OfExpress: medians.kitHealthzToExpress >= 0.85,
      listAtLeast085OfFloor: medians.listToFloor >= 0.85,
      listP99AtMost12xFloor: medians.listP99ToFloorP99 <= 1.2,
      descendingListAtLeast085OfFloor: medians.descendingListToFloor >= 0.85,
      descendingListP99AtMost12xFloor: medians.descendingListP99ToFloorP99 <= 1.2,
      zeroErrors: rounds.every((r) => r.results.every((m) => m.errors === 0 && m.non2xx === 0)),
    };
    console.log(
      `${ROUNDS > 1 ? `medians over ${ROUNDS} rounds: ` : ''}${ratioNames
        .map((name) => `${name} ${medians[name]}`)
        .join(', ')}`,
    );
    console.log(
      `targets: ${Object.entries(targets)
        .map(([name, ok]) => `${name} ${ok ? 'met' : 'MISSED'}`)
        .join(', ')}`,
    );

    // BENCH_LABEL=before: results/tasks-list.before.json, to keep a run next to the current one.
    const label = process.env.BENCH_LABEL;
    const out = path.join(import.meta.dirname, `results/tasks-list${label ? `.${label}` : ''}.json`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify(
        {
          benchmark: 'tasks-list',
          ...(label && { label }),
          date: new Date().toISOString(),
          environment: {
            node: process.version,
            postgres: pgVersion,
            embeddedPostgres: admin.embedded,
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model,
          },
          data: { projects: SIZE.projects, tasks: seeded.tasks },
          request: `GET /projects/:projectId/tasks?${LIST_QUERY}`,
          descendingRequest: `GET /projects/:projectId/tasks?${DESC_QUERY}`,
          ...timing,
          rounds: ROUNDS,
          // The last round's rows, then every round's ratios and their medians (what the targets judge).
          results: rounds.at(-1)!.results,
          ratios: rounds.map((r) => r.ratios),
          medians,
          targets,
          ...(ROUNDS > 1 && { allResults: rounds.map((r) => r.results) }),
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`written to ${path.relative(ROOT, out)}`);
    if (!targets.zeroErrors) process.exitCode = 1;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await dropServiceDatabase(admin.adminUrl, service).catch(() => {});
    if (process.env.BENCH_PROFILE) console.log(`app CPU profile written to ${PROFILE_DIR}`);
    await admin.release();
  }
}

await main();
