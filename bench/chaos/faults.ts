// The faults of `pnpm chaos`, one function each: put load on the services, inject the fault, watch them
// recover, and return the row of the table with its verdict against the expectation in issue 7.
import os from 'node:os';
import pg from 'pg';
import type { TcpProxy } from '../../packages/testing/src/tcp-proxy.ts';
import { attackInChild } from './attacks.ts';
import { startKeepAliveClients, startStreams, type StreamSpec } from './load.ts';
import {
  countEvents,
  failureLog,
  recoveryByStream,
  keepsGrowing,
  percentile,
  recoveryMs,
  Verdict,
  type LoadEvent,
  type Row,
} from './report.ts';
import { sleep, type Service } from './services.ts';

export interface Account {
  email: string;
  password: string;
}

export interface ChaosContext {
  quick: boolean;
  auth: Service;
  tasks: Service;
  proxies: { authDb: TcpProxy; tasksDb: TcpProxy; authRedis: TcpProxy; tasksRedis: TcpProxy };
  adminUrl: string;
  /** The databases the tool created: the only ones whose connections it terminates. */
  databases: string[];
  /** The token the tasks streams and GET /users/me use. */
  ownerToken: string;
  projectId: string;
  loginAccounts: Account[];
  victim: Account;
  /** SHUTDOWN_TIMEOUT_MS the services run with. */
  shutdownTimeoutMs: number;
}

export type Fault = (ctx: ChaosContext) => Promise<Row>;

/** A duration: the issue's in a full run, shorter with --quick. */
const span = (ctx: ChaosContext, fullMs: number, quickMs: number) => (ctx.quick ? quickMs : fullMs);

let sequence = 0;

/** The representative read and write of each service, at a steady, bounded rate. */
export function steadyStreams(ctx: ChaosContext, which: 'all' | 'tasks' | 'auth' = 'all'): StreamSpec[] {
  const bearer = { authorization: `Bearer ${ctx.ownerToken}` };
  const logins = ctx.loginAccounts.map((account) => JSON.stringify(account));
  const tasks: StreamSpec[] = [
    {
      name: 'tasks read',
      baseUrl: ctx.tasks.baseUrl,
      method: 'GET',
      path: `/projects/${ctx.projectId}/tasks?limit=20`,
      headers: bearer,
      rate: 40,
      connections: 4,
    },
    {
      name: 'tasks write',
      baseUrl: ctx.tasks.baseUrl,
      method: 'POST',
      path: `/projects/${ctx.projectId}/tasks`,
      headers: bearer,
      body: () => JSON.stringify({ title: `chaos task ${++sequence}` }),
      rate: 10,
      connections: 2,
    },
  ];
  const auth: StreamSpec[] = [
    {
      name: 'auth read',
      baseUrl: ctx.auth.baseUrl,
      method: 'GET',
      path: '/users/me',
      headers: bearer,
      rate: 20,
      connections: 2,
    },
    {
      // bcrypt at the production cost: two logins a second keep the hashing gate busy without queueing.
      name: 'auth login',
      baseUrl: ctx.auth.baseUrl,
      method: 'POST',
      path: '/auth/login',
      body: () => logins[++sequence % logins.length] as string,
      rate: 2,
      connections: 2,
    },
  ];
  return which === 'tasks' ? tasks : which === 'auth' ? auth : [...tasks, ...auth];
}

function exitsDuring(ctx: ChaosContext, run: () => Promise<void>): Promise<number> {
  const before = ctx.auth.unexpectedExits + ctx.tasks.unexpectedExits;
  return run().then(() => ctx.auth.unexpectedExits + ctx.tasks.unexpectedExits - before);
}

function row(
  fault: string,
  expectation: string,
  events: LoadEvent[],
  from: number,
  exits: number,
  recovery: number | null,
  verdict: Verdict,
  details: Record<string, unknown> = {},
  faultEnd?: number,
): Row {
  return {
    fault,
    expectation,
    counts: countEvents(events, from),
    exits,
    recoveryMs: recovery,
    pass: verdict.pass,
    notes: verdict.failures,
    details: {
      ...details,
      ...(faultEnd !== undefined && { recoveryByStreamMs: recoveryByStream(events, faultEnd) }),
      failures: failureLog(events, from),
      loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    },
  };
}

/** No 500, no hanging request, no reset: the failures no fault may cause. */
function noDefects(verdict: Verdict, events: LoadEvent[], from: number): Verdict {
  const c = countEvents(events, from);
  return verdict
    .check(c.serverError === 0, `${c.serverError} answers were 5xx other than 503`)
    .check(c.timeout === 0, `${c.timeout} requests hung past the client's timeout`)
    .check(c.reset === 0, `${c.reset} requests were reset`)
    .check(
      c.unavailableWithoutRetryAfter === 0,
      `${c.unavailableWithoutRetryAfter} 503 answers lacked Retry-After`,
    );
}

async function terminateBackends(ctx: ChaosContext): Promise<number> {
  const client = new pg.Client({ connectionString: ctx.adminUrl });
  await client.connect();
  try {
    const result = await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()',
      [ctx.databases],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

export const pgKill: Fault = async (ctx) => {
  const events: LoadEvent[] = [];
  const verdict = new Verdict();
  let start = 0;
  let end = 0;
  const terminated: number[] = [];
  const exits = await exitsDuring(ctx, async () => {
    const load = startStreams(steadyStreams(ctx), events);
    await sleep(span(ctx, 3_000, 1_500));
    start = Date.now();
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(1_000);
      terminated.push(await terminateBackends(ctx));
    }
    end = Date.now();
    await sleep(span(ctx, 5_000, 3_000));
    await load.stop();
  });
  const recovery = recoveryMs(events, end);
  noDefects(verdict, events, start)
    .check(exits === 0, `${exits} process exits`)
    .check(
      terminated.some((n) => n > 0),
      'no connection was terminated: the fault did not happen',
    )
    .check(recovery !== null && recovery <= 2_000, `recovery ${recovery} ms, expected <= 2000 ms`);
  return row(
    'pg-kill',
    'pg_terminate_backend x3: no exit, 503 never 500, recovery <= 2 s',
    events,
    start,
    exits,
    recovery,
    verdict,
    { terminatedConnections: terminated },
    end,
  );
};

/** Polls GET /readyz of both services every 250 ms until stopped: which statuses each one gave. */
function watchReadiness(ctx: ChaosContext) {
  const seen = { auth: new Set<number>(), tasks: new Set<number>() };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const [a, t] = await Promise.all([ctx.auth.status('/readyz'), ctx.tasks.status('/readyz')]);
      seen.auth.add(a);
      seen.tasks.add(t);
      await sleep(250);
    }
  })();
  return {
    seen,
    stop: async () => {
      stopped = true;
      await loop;
      return { auth: [...seen.auth], tasks: [...seen.tasks] };
    },
  };
}

async function untilReady(ctx: ChaosContext, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const [a, t] = await Promise.all([ctx.auth.status('/readyz'), ctx.tasks.status('/readyz')]);
    if (a === 200 && t === 200) return Date.now() - started;
    await sleep(100);
  }
  return null;
}

export const pgDown: Fault = async (ctx) => {
  const events: LoadEvent[] = [];
  const verdict = new Verdict();
  const downMs = span(ctx, 10_000, 4_000);
  let start = 0;
  let end = 0;
  let during = { auth: [] as number[], tasks: [] as number[] };
  let readyAfter: number | null = null;
  const exits = await exitsDuring(ctx, async () => {
    const load = startStreams(steadyStreams(ctx), events);
    await sleep(span(ctx, 3_000, 1_500));
    start = Date.now();
    await Promise.all([ctx.proxies.authDb.setMode('refuse'), ctx.proxies.tasksDb.setMode('refuse')]);
    const readiness = watchReadiness(ctx);
    await sleep(downMs);
    during = await readiness.stop();
    await Promise.all([ctx.proxies.authDb.setMode('forward'), ctx.proxies.tasksDb.setMode('forward')]);
    end = Date.now();
    readyAfter = await untilReady(ctx, 10_000);
    await sleep(span(ctx, 6_000, 4_000));
    await load.stop();
  });
  const recovery = recoveryMs(events, end);
  const latencies = events.filter((e) => e.t >= start && e.t < end && e.latencyMs !== undefined);
  const slowest = Math.max(0, ...latencies.map((e) => e.latencyMs as number));
  const c = countEvents(events, start, end);
  noDefects(verdict, events, start)
    .check(exits === 0, `${exits} process exits`)
    .check(
      c.unavailable > 0,
      'no 503 while the database was unreachable: the fault did not reach the services',
    )
    .check(
      during.auth.includes(503),
      `auth /readyz during the outage: ${during.auth.join(', ')}, expected 503`,
    )
    .check(
      during.tasks.includes(503),
      `tasks /readyz during the outage: ${during.tasks.join(', ')}, expected 503`,
    )
    .check(readyAfter !== null, '/readyz did not answer 200 again within 10 s')
    .check(recovery !== null && recovery <= 5_000, `recovery ${recovery} ms, expected <= 5000 ms`);
  return row(
    'pg-down',
    `Postgres unreachable ${downMs / 1000} s: 503 + Retry-After, no hang, /readyz 503 then 200, recovery <= 5 s`,
    events,
    start,
    exits,
    recovery,
    verdict,
    { downMs, readyzDuring: during, readyAfterMs: readyAfter, slowestAnswerDuringMs: slowest },
    end,
  );
};

export const pgSilent: Fault = async (ctx) => {
  const events: LoadEvent[] = [];
  const verdict = new Verdict();
  let start = 0;
  const exits = await exitsDuring(ctx, async () => {
    const load = startStreams(steadyStreams(ctx), events);
    await sleep(span(ctx, 3_000, 1_500));
    start = Date.now();
    ctx.proxies.authDb.silenceExisting();
    ctx.proxies.tasksDb.silenceExisting();
    await sleep(span(ctx, 15_000, 12_000));
    await load.stop();
  });
  // The partition starts and "ends" at once (new connections always work): recovery counts from it.
  const recovery = recoveryMs(events, start);
  noDefects(verdict, events, start)
    .check(exits === 0, `${exits} process exits`)
    .check(recovery !== null && recovery <= 10_000, `recovery ${recovery} ms, expected <= 10000 ms`);
  return row(
    'pg-silent',
    'open Postgres connections fall silent: the pool drops them by its timeouts, recovery <= 10 s',
    events,
    start,
    exits,
    recovery,
    verdict,
    {},
    start,
  );
};

async function login(
  ctx: ChaosContext,
  account: Account,
): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await fetch(`${ctx.auth.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { accessToken: string; refreshToken: string };
}

async function statusWith(url: string, token: string): Promise<number> {
  try {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export const redisDown: Fault = async (ctx) => {
  const events: LoadEvent[] = [];
  const verdict = new Verdict();
  const downMs = span(ctx, 10_000, 4_000);
  let start = 0;
  let end = 0;
  const details: Record<string, unknown> = { downMs };
  const victimUrl = `${ctx.tasks.baseUrl}/projects`;
  const exits = await exitsDuring(ctx, async () => {
    const victim = await login(ctx, ctx.victim);
    details.victimBefore = await statusWith(victimUrl, victim.accessToken);
    const load = startStreams(steadyStreams(ctx), events);
    await sleep(span(ctx, 3_000, 1_500));
    start = Date.now();
    await Promise.all([ctx.proxies.authRedis.setMode('refuse'), ctx.proxies.tasksRedis.setMode('refuse')]);
    await sleep(downMs / 2);
    const logout = await fetch(`${ctx.auth.baseUrl}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: victim.refreshToken }),
    });
    details.logoutDuring = logout.status;
    // The policy while Redis is away: the revocation check fails open (the token's lifetime bounds it).
    details.victimDuring = await statusWith(victimUrl, victim.accessToken);
    await sleep(downMs / 2);
    await Promise.all([ctx.proxies.authRedis.setMode('forward'), ctx.proxies.tasksRedis.setMode('forward')]);
    end = Date.now();
    let revokedAfter: number | null = null;
    while (Date.now() - end < 10_000) {
      if ((await statusWith(victimUrl, victim.accessToken)) === 401) {
        revokedAfter = Date.now() - end;
        break;
      }
      await sleep(50);
    }
    details.logoutEffectiveAfterMs = revokedAfter;
    await sleep(span(ctx, 4_000, 2_000));
    await load.stop();
  });
  const c = countEvents(events, start);
  const recovery = recoveryMs(events, end);
  const revokedAfter = details.logoutEffectiveAfterMs as number | null;
  noDefects(verdict, events, start)
    .check(exits === 0, `${exits} process exits`)
    .check(
      c.unavailable === 0,
      `${c.unavailable} answers were 503: sign-in and the APIs must work without Redis`,
    )
    .check(details.victimBefore === 200, `the victim's token answered ${String(details.victimBefore)} before`)
    .check(details.logoutDuring === 204, `logout during the outage answered ${String(details.logoutDuring)}`)
    .check(
      revokedAfter !== null && revokedAfter <= 1_000,
      `the logout took effect in tasks ${revokedAfter} ms after Redis returned, expected <= 1000 ms`,
    );
  return row(
    'redis-down',
    `Redis unreachable ${downMs / 1000} s: APIs keep working, a logout meanwhile takes effect <= 1 s after it returns`,
    events,
    start,
    exits,
    recovery,
    verdict,
    details,
    end,
  );
};

/** POST /projects/:id/members with a username nobody has: 422 when auth answers, 503 when it cannot. */
async function memberProbe(
  ctx: ChaosContext,
): Promise<{ status: number; code?: string; retryAfter: boolean }> {
  try {
    const res = await fetch(`${ctx.tasks.baseUrl}/projects/${ctx.projectId}/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: `nobody_${++sequence}` }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as { code?: string };
    return {
      status: res.status,
      ...(body.code !== undefined && { code: body.code }),
      retryAfter: res.headers.has('retry-after'),
    };
  } catch {
    return { status: 0, retryAfter: false };
  }
}

export const authDown: Fault = async (ctx) => {
  const events: LoadEvent[] = [];
  const verdict = new Verdict();
  const downMs = span(ctx, 10_000, 4_000);
  let start = 0;
  let end = 0;
  const probes: { status: number; code?: string; retryAfter: boolean }[] = [];
  const details: Record<string, unknown> = { downMs };
  const exits = await exitsDuring(ctx, async () => {
    const load = startStreams(steadyStreams(ctx, 'tasks'), events);
    await sleep(span(ctx, 3_000, 1_500));
    details.probeBefore = await memberProbe(ctx);
    start = Date.now();
    details.authStop = await ctx.auth.stop('SIGTERM');
    while (Date.now() - start < downMs) {
      probes.push(await memberProbe(ctx));
      await sleep(500);
    }
    await ctx.auth.start();
    end = Date.now();
    let recovered: number | null = null;
    while (Date.now() - end < 10_000) {
      if ((await memberProbe(ctx)).status === 422) {
        recovered = Date.now() - end;
        break;
      }
      await sleep(100);
    }
    details.memberAddRecoveredAfterMs = recovered;
    await sleep(span(ctx, 3_000, 1_500));
    await load.stop();
  });
  const c = countEvents(events, start);
  const recovered = details.memberAddRecoveredAfterMs as number | null;
  const wrong = probes.filter(
    (p) => p.status !== 503 || p.code !== 'dependency-unavailable' || !p.retryAfter,
  );
  noDefects(verdict, events, start)
    .check(exits === 0, `${exits} process exits`)
    .check(
      c.requests === c.ok,
      `tasks answered ${c.requests - c.ok} of ${c.requests} requests badly: tokens must verify with cached keys`,
    )
    .check(
      (details.probeBefore as { status: number }).status === 422,
      'the member probe did not answer 422 before',
    )
    .check(
      probes.length > 0 && wrong.length === 0,
      `member adds while auth was down: ${JSON.stringify(wrong)}`,
    )
    .check(
      recovered !== null && recovered <= 5_000,
      `member adds worked again after ${recovered} ms (<= 5000)`,
    );
  return row(
    'auth-down',
    `auth stopped ${downMs / 1000} s: tasks verifies with cached keys, member adds 503 dependency-unavailable`,
    events,
    start,
    exits,
    recovered,
    verdict,
    { ...details, memberProbesDuring: probes.length },
    end,
  );
};

function sigterm(service: 'auth' | 'tasks'): Fault {
  return async (ctx) => {
    const events: LoadEvent[] = [];
    const verdict = new Verdict();
    const target = ctx[service];
    const bearer = { authorization: `Bearer ${ctx.ownerToken}` };
    const logins = ctx.loginAccounts.map((account) => JSON.stringify(account));
    const clients =
      service === 'tasks'
        ? [
            startKeepAliveClients(
              {
                name: 'tasks read',
                baseUrl: target.baseUrl,
                method: 'GET',
                path: `/projects/${ctx.projectId}/tasks?limit=20`,
                headers: bearer,
                connections: 8,
                pauseMs: 20,
              },
              events,
            ),
            startKeepAliveClients(
              {
                name: 'tasks write',
                baseUrl: target.baseUrl,
                method: 'POST',
                path: `/projects/${ctx.projectId}/tasks`,
                headers: bearer,
                body: () => JSON.stringify({ title: `chaos task ${++sequence}` }),
                connections: 2,
                pauseMs: 50,
              },
              events,
            ),
          ]
        : [
            startKeepAliveClients(
              {
                name: 'auth login',
                baseUrl: target.baseUrl,
                method: 'POST',
                path: '/auth/login',
                body: () => logins[++sequence % logins.length] as string,
                connections: 3,
                pauseMs: 0,
              },
              events,
            ),
            startKeepAliveClients(
              {
                name: 'auth read',
                baseUrl: target.baseUrl,
                method: 'GET',
                path: '/users/me',
                headers: bearer,
                connections: 4,
                pauseMs: 20,
              },
              events,
            ),
          ];
    await sleep(span(ctx, 3_000, 1_500));
    const start = Date.now();
    const stopped = await target.stop('SIGTERM');
    const exitedAt = Date.now();
    await Promise.all(clients.map((client) => client.stop()));
    await target.start();
    const c = countEvents(events, start, exitedAt + 1);
    const inFlightAtSignal = countEvents(events, start, start + 2_000);
    verdict
      .check(c.reset === 0, `${c.reset} requests were reset`)
      .check(c.timeout === 0, `${c.timeout} requests hung`)
      .check(c.serverError + c.unavailable === 0, `${c.serverError + c.unavailable} answers were 5xx`)
      .check(c.otherError + c.clientError === 0, `${c.otherError + c.clientError} other failures`)
      .check(c.ok > 0, 'no request was answered after the signal: nothing was in flight')
      .check(stopped.code === 0, `exit code ${stopped.code}, expected 0`)
      .check(
        stopped.ms <= ctx.shutdownTimeoutMs,
        `exit after ${stopped.ms} ms, SHUTDOWN_TIMEOUT_MS ${ctx.shutdownTimeoutMs}`,
      );
    return {
      fault: `sigterm-${service}`,
      expectation: `SIGTERM under keep-alive load${service === 'auth' ? ' during logins' : ''}: no failed request, exit 0 in time`,
      counts: c,
      exits: target.unexpectedExits,
      recoveryMs: null,
      pass: verdict.pass,
      notes: verdict.failures,
      details: {
        exitCode: stopped.code,
        exitAfterMs: stopped.ms,
        answeredAfterSignal: c.ok,
        refusedAfterClose: c.refused,
        answeredInFirst2s: inFlightAtSignal.ok,
        failures: failureLog(
          events.filter((e) => e.outcome !== 'refused'),
          start,
        ),
        loadAverage: os.loadavg(),
      },
    };
  };
}

export const sigtermTasks = sigterm('tasks');
export const sigtermAuth = sigterm('auth');

export const slowClients: Fault = async (ctx) => {
  const events: LoadEvent[] = [];
  const verdict = new Verdict();
  const port = ctx.tasks.port;
  const tasksPath = `/projects/${ctx.projectId}/tasks`;
  const normal: StreamSpec = {
    name: 'normal client',
    baseUrl: ctx.tasks.baseUrl,
    method: 'GET',
    path: `${tasksPath}?limit=20`,
    headers: { authorization: `Bearer ${ctx.ownerToken}` },
    rate: 50,
    connections: 2,
  };
  const details: Record<string, unknown> = {};
  let start = 0;
  let attackEnd = 0;
  const exits = await exitsDuring(ctx, async () => {
    const load = startStreams([normal], events);
    // Warm-up, not measured: JIT, the pool, the heap growing to what this load needs (a service that was
    // just restarted by a SIGTERM row starts far below its working size).
    await sleep(span(ctx, 10_000, 5_000));
    const baselineFrom = Date.now();
    await sleep(span(ctx, 10_000, 5_000));
    start = Date.now();
    details.rssBeforeMb = Math.round(ctx.tasks.rss() / 1e6);
    details.baselineWindow = [baselineFrom, start];
    // In a process of its own: 200 sockets dripping bytes keep an event loop busy, and the normal client's
    // latencies must not include waiting behind them in this one.
    const { loris, oversized } = await attackInChild(port, tasksPath, ctx.ownerToken);
    attackEnd = Date.now();
    // The same normal load a little longer, so that "after" compares with "before" under equal conditions.
    await sleep(span(ctx, 5_000, 3_000));
    details.rssAfterMb = Math.round(ctx.tasks.rss() / 1e6);
    await load.stop();
    const open = loris.filter((ms) => ms == null).length;
    details.slowloris = {
      sockets: loris.length,
      stillOpen: open,
      closedWithinMs: Math.max(...loris.map((ms) => ms ?? Infinity)),
    };
    details.oversized = oversized;
  });
  const baselineWindow = details.baselineWindow as [number, number];
  const latencies = (from: number, to: number) =>
    events
      .filter((e) => e.t >= from && e.t < to && e.outcome === 'ok' && e.latencyMs !== undefined)
      .map((e) => e.latencyMs as number);
  const baselineP99 = percentile(latencies(baselineWindow[0], baselineWindow[1]), 99);
  const attackP99 = percentile(latencies(start, attackEnd), 99);
  details.normalClientP99Ms = { baseline: baselineP99, underAttack: attackP99 };
  // Per second of the attack: the slowest answer, to see which attack (if any) the normal client felt.
  details.normalClientSlowestPerSecondMs = Array.from(
    { length: Math.ceil((attackEnd - start) / 1000) },
    (_, i) => Math.round(Math.max(0, ...latencies(start + i * 1000, start + (i + 1) * 1000))),
  );
  const oversized = details.oversized as Record<string, { status?: number; closed: boolean; ms: number }>;
  const refused = (r: { status?: number; closed: boolean }) =>
    (r.status !== undefined && r.status >= 400 && r.status < 500) || (r.status === undefined && r.closed);
  const loris = details.slowloris as { stillOpen: number };
  const rssBefore = details.rssBeforeMb as number;
  const rssAfter = details.rssAfterMb as number;
  noDefects(verdict, events, start)
    .check(exits === 0, `${exits} process exits`)
    .check(loris.stillOpen === 0, `${loris.stillOpen} slowloris sockets were still open after 20 s`);
  for (const [name, result] of Object.entries(oversized)) {
    verdict.check(refused(result), `${name}: ${JSON.stringify(result)}, expected a 4xx or a closed socket`);
  }
  verdict
    .check(
      attackP99 <= 2 * baselineP99,
      `the normal client's p99 was ${attackP99} ms under attack, ${baselineP99} ms before: more than 2x`,
    )
    .check(
      rssAfter <= rssBefore * 1.25,
      `RSS ${rssAfter} MB after, ${rssBefore} MB before: not back near the baseline (+25%)`,
    );
  return row(
    'slow-clients',
    'slowloris x200, 10 MB body, 10 000 params, 64 KB header, 100 KB URL: 4xx or closed, normal p99 <= 2x, RSS back',
    events,
    start,
    exits,
    null,
    verdict,
    details,
  );
};

export const sustained: Fault = async (ctx) => {
  const events: LoadEvent[] = [];
  const verdict = new Verdict();
  const roundMs = span(ctx, 20_000, 5_000);
  const rounds: {
    authRssMb: number;
    tasksRssMb: number;
    authLagP99Ms: number;
    tasksLagP99Ms: number;
    authHeapUsedMb: number;
    tasksHeapUsedMb: number;
    authHeapTotalMb: number;
    tasksHeapTotalMb: number;
  }[] = [];
  let start = 0;
  const exits = await exitsDuring(ctx, async () => {
    start = Date.now();
    // A warm-up, not measured, as long as the three rounds (JIT, pools, and V8 reserving heap up to the
    // load's working size: a 9-round run here saw RSS climb for the first minute or two, then level off),
    // then one scrape so that each round's lag histogram covers that round only.
    const warmUp = startStreams(steadyStreams(ctx), events);
    await sleep(3 * roundMs);
    await warmUp.stop();
    await Promise.all([ctx.auth.eventLoopLagP99Ms(), ctx.tasks.eventLoopLagP99Ms()]);
    for (let i = 0; i < 3; i++) {
      const load = startStreams(steadyStreams(ctx), events);
      await sleep(roundMs);
      await load.stop();
      await sleep(1_000);
      const [authLag, tasksLag] = await Promise.all([
        ctx.auth.eventLoopLagP99Ms(),
        ctx.tasks.eventLoopLagP99Ms(),
      ]);
      // The V8 heap, in use (garbage included) and reserved: RSS follows what V8 reserves, which grows
      // to the working size of the load and shrinks after a major GC; a leak shows as heap in use growing.
      const [authHeap, tasksHeap, authHeapTotal, tasksHeapTotal] = await Promise.all([
        ctx.auth.metric('nodejs_heap_size_used_bytes'),
        ctx.tasks.metric('nodejs_heap_size_used_bytes'),
        ctx.auth.metric('nodejs_heap_size_total_bytes'),
        ctx.tasks.metric('nodejs_heap_size_total_bytes'),
      ]);
      rounds.push({
        authRssMb: Math.round(ctx.auth.rss() / 1e6),
        tasksRssMb: Math.round(ctx.tasks.rss() / 1e6),
        authHeapUsedMb: Math.round(authHeap / 1e6),
        tasksHeapUsedMb: Math.round(tasksHeap / 1e6),
        authHeapTotalMb: Math.round(authHeapTotal / 1e6),
        tasksHeapTotalMb: Math.round(tasksHeapTotal / 1e6),
        authLagP99Ms: Math.round(authLag * 10) / 10,
        tasksLagP99Ms: Math.round(tasksLag * 10) / 10,
      });
    }
  });
  const series = (key: keyof (typeof rounds)[number]) => rounds.map((r) => r[key]);
  noDefects(verdict, events, start).check(exits === 0, `${exits} process exits`);
  for (const key of ['authRssMb', 'tasksRssMb', 'authLagP99Ms', 'tasksLagP99Ms'] as const) {
    const service = key.startsWith('auth') ? 'auth' : 'tasks';
    const heap = key.endsWith('RssMb')
      ? ` (V8 heap in use ${series(`${service}HeapUsedMb`).join(' -> ')}, reserved ${series(`${service}HeapTotalMb`).join(' -> ')} MB)`
      : '';
    verdict.check(!keepsGrowing(series(key)), `${key} keeps growing: ${series(key).join(' -> ')}${heap}`);
  }
  return row(
    'sustained',
    `3 x ${roundMs / 1000} s of steady load: RSS and event-loop lag do not keep growing`,
    events,
    start,
    exits,
    null,
    verdict,
    { rounds },
  );
};

// In the order they run. The rows that compare memory with a baseline come before the rows that restart a
// service (auth-down, the SIGTERM rows): a process just restarted is still growing its heap to the working
// size of the load, which would read as memory not coming back.
export const FAULTS: Record<string, Fault> = {
  'pg-kill': pgKill,
  'pg-down': pgDown,
  'pg-silent': pgSilent,
  'redis-down': redisDown,
  'slow-clients': slowClients,
  sustained,
  'auth-down': authDown,
  'sigterm-tasks': sigtermTasks,
  'sigterm-auth': sigtermAuth,
};
