import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapServiceDatabase, dropServiceDatabase, resolveAdminUrl, withClient } from '@mini/dev-db';
import {
  isStale,
  parseTestDatabaseName,
  setupServiceTestDatabase,
  sweepStaleTestDatabases,
  testDatabaseName,
  REPO_ROOT,
  type RunIdentity,
} from '../src/index.ts';
import { FOREIGN_RUN_MAX_AGE_MS, hostTag } from '../src/stale-databases.ts';

const HOUR = 3_600_000;
const here = hostTag();
const otherHost = here === 'abcdef' ? 'fedcba' : 'abcdef';

/** The pid of a process that has just exited: certainly not alive. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('testDatabaseName', () => {
  it('says when the run began, its process and host, and stays a whole Postgres identifier', () => {
    const run: RunIdentity = { startedAt: new Date('2026-12-07T21:22:33.444Z'), pid: 4242, host: 'a1b2c3' };
    const name = testDatabaseName('tasks', run);
    expect(name).toMatch(/^tasks_test_20261207t212233_4242_a1b2c3_[0-9a-f]{4}$/);
    expect(parseTestDatabaseName(name)).toEqual({ ...run, startedAt: new Date('2026-12-07T21:22:33Z') });

    const long = testDatabaseName('a-service-with-a-rather-long-name-indeed', { ...run, pid: 4194304 });
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(parseTestDatabaseName(long)?.pid).toBe(4194304);
  });

  it('names made by one run for one service differ by their random part', () => {
    const run: RunIdentity = { startedAt: new Date(), pid: process.pid, host: here };
    const names = new Set(Array.from({ length: 50 }, () => testDatabaseName('tasks', run)));
    expect(names.size).toBeGreaterThan(45);
  });

  it('names that are not test databases parse as nothing', () => {
    expect(parseTestDatabaseName('tasks')).toBeUndefined();
    expect(parseTestDatabaseName('tasks_test_1a2b3c4d')).toBeUndefined();
    expect(parseTestDatabaseName('tasks_test_20261399t999999_1_a1b2c3_0000')).toBeUndefined();
  });
});

describe('isStale', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const current: RunIdentity = { startedAt: now, pid: 1000, host: 'a1b2c3' };
  const name = (minutesAgo: number, pid: number, host = 'a1b2c3') =>
    testDatabaseName('tasks', { startedAt: new Date(now.getTime() - minutesAgo * 60_000), pid, host });
  const alive = (pid: number) => pid === 2000;

  it.each([
    ['an older run on this host whose process is gone', name(5, 3000), true],
    ['an older run on this host whose process still runs', name(5, 2000), false],
    ['another database of the current run', name(0, 1000), false],
    ['a run that began after this one', name(-1, 3000), false],
    ['a run on another host within the last hours', name(60, 3000, 'ffffff'), false],
    [
      'a run on another host older than any run lasts',
      name(FOREIGN_RUN_MAX_AGE_MS / 60_000 + 1, 3000, 'ffffff'),
      true,
    ],
    ['a database that is no test run', 'tasks_test_1a2b3c4d', false],
  ])('%s: %s', (_case, candidate, stale) => {
    expect(isStale(candidate, current, alive)).toBe(stale);
  });
});

describe('sweepStaleTestDatabases (on a real Postgres)', async () => {
  const admin = await resolveAdminUrl({ rootDir: REPO_ROOT });
  const now = new Date();
  const created: string[] = [];
  afterAll(async () => {
    for (const name of created) await dropServiceDatabase(admin.adminUrl, { role: name, database: name });
    await admin.release();
  });

  async function plant(run: RunIdentity, { roleOnly = false } = {}): Promise<string> {
    const name = testDatabaseName('sweep', run);
    created.push(name);
    if (roleOnly) {
      await withClient(admin.adminUrl, (client) => client.query(`CREATE ROLE ${name} LOGIN`));
    } else {
      await bootstrapServiceDatabase(admin.adminUrl, { role: name, database: name, password: 'x' });
    }
    return name;
  }

  async function existing(names: string[]): Promise<string[]> {
    return withClient(admin.adminUrl, async (client) => {
      const { rows } = await client.query<{ name: string }>(
        `SELECT datname AS name FROM pg_database WHERE datname = ANY($1)
         UNION SELECT rolname FROM pg_roles WHERE rolname = ANY($1)`,
        [names],
      );
      return rows.map((row) => row.name).sort();
    });
  }

  it('drops the databases and roles of runs killed midway, and keeps those of runs still going', async () => {
    const earlier = new Date(now.getTime() - 60_000);
    const killed = await plant({ startedAt: earlier, pid: deadPid(), host: here });
    const killedBetweenDrops = await plant(
      { startedAt: earlier, pid: deadPid(), host: here },
      { roleOnly: true },
    );
    const running = await plant({ startedAt: earlier, pid: process.pid, host: here });
    const longAgoElsewhere = await plant({
      startedAt: new Date(now.getTime() - 7 * HOUR),
      pid: 1,
      host: otherHost,
    });
    const recentlyElsewhere = await plant({
      startedAt: new Date(now.getTime() - HOUR),
      pid: 1,
      host: otherHost,
    });

    const dropped = await sweepStaleTestDatabases(admin.adminUrl, {
      // Another process's run: the one planted with this process's pid is kept because it is alive.
      current: { startedAt: now, pid: deadPid(), host: here },
    });

    expect(dropped).toEqual(expect.arrayContaining([killed, killedBetweenDrops, longAgoElsewhere]));
    expect(dropped).not.toContain(running);
    expect(dropped).not.toContain(recentlyElsewhere);
    expect(
      await existing([killed, killedBetweenDrops, running, longAgoElsewhere, recentlyElsewhere]),
    ).toEqual([running, recentlyElsewhere].sort());
  });

  it('a new test run starts by sweeping what a killed run left behind', async () => {
    const killed = await plant({ startedAt: new Date(Date.now() - 60_000), pid: deadPid(), host: here });
    const { databaseUrl, teardown } = await setupServiceTestDatabase({
      service: 'sweeper',
      migrationsDir: new URL('./fixtures/migrations', import.meta.url),
    });
    try {
      expect(await existing([killed])).toEqual([]);
      expect(databaseUrl).toMatch(/sweeper_test_\d{8}t\d{6}_/);
    } finally {
      await teardown();
    }
  });
});
