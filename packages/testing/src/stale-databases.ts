// A test run drops its database and role at the end; a run killed midway (Ctrl-C twice, a crash, a CI
// timeout) cannot. So every name says when the run began, which process made it and on which host, and
// each run begins by dropping what runs that can no longer be alive left behind.
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import type { DbLogger } from '@mini/db';
import { dropServiceDatabase, withClient } from '@mini/dev-db';

// Postgres cuts identifiers at 63 bytes; the service part is shortened to keep the name whole.
const MAX_IDENTIFIER = 63;
// <service>_test_<yyyymmdd>t<hhmmss>_<pid>_<host tag>_<random>: lowercase, so psql finds it unquoted too.
const NAME = /_test_(\d{8})t(\d{6})_(\d+)_([0-9a-f]{6})_([0-9a-f]{4})$/;
/** A run on another host cannot be asked whether it is alive; none lasts this long. */
export const FOREIGN_RUN_MAX_AGE_MS = 6 * 3_600_000;

export interface RunIdentity {
  /** When the run began. */
  startedAt: Date;
  pid: number;
  /** Six hex digits naming the host (from its hostname). */
  host: string;
}

export function hostTag(hostname: string = os.hostname()): string {
  return createHash('sha256').update(hostname).digest('hex').slice(0, 6);
}

export function currentRun(now: Date = new Date()): RunIdentity {
  return { startedAt: now, pid: process.pid, host: hostTag() };
}

function stamp(date: Date): string {
  const iso = date.toISOString(); // 2026-12-07T21:22:33.444Z
  return `${iso.slice(0, 10).replaceAll('-', '')}t${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** The database (and role) name of one service's test run: `tasks_test_20261207t212233_4242_a1b2c3_9f3e`. */
export function testDatabaseName(service: string, run: RunIdentity = currentRun()): string {
  const suffix = `_test_${stamp(run.startedAt)}_${run.pid}_${run.host}_${randomBytes(2).toString('hex')}`;
  return `${service.slice(0, Math.max(1, MAX_IDENTIFIER - suffix.length))}${suffix}`;
}

/** The run a test database name belongs to, or undefined when the name is not one. */
export function parseTestDatabaseName(name: string): RunIdentity | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  const [, day = '', time = '', pid, host = ''] = match;
  const startedAt = new Date(
    `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}Z`,
  );
  if (Number.isNaN(startedAt.getTime())) return undefined;
  return { startedAt, pid: Number(pid), host };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the run that made `name` is over without having cleaned up: it began before `current`, and its
 * process is gone (on this host), or it began more than FOREIGN_RUN_MAX_AGE_MS ago (on another host).
 * A run still going, here or elsewhere, keeps its database.
 */
export function isStale(
  name: string,
  current: RunIdentity,
  alive: (pid: number) => boolean = isAlive,
): boolean {
  const run = parseTestDatabaseName(name);
  if (!run || run.startedAt.getTime() > current.startedAt.getTime()) return false;
  if (run.host === current.host) return run.pid !== current.pid && !alive(run.pid);
  return current.startedAt.getTime() - run.startedAt.getTime() > FOREIGN_RUN_MAX_AGE_MS;
}

/**
 * Drops every test database and role that a killed run left behind (see isStale), and returns their names.
 * A role without its database (a run killed between the two drops) goes too. Never fails the run that
 * sweeps: a name it cannot drop (another run dropping it at the same moment) is only logged.
 */
export async function sweepStaleTestDatabases(
  adminUrl: string,
  options: { current?: RunIdentity; alive?: (pid: number) => boolean; logger?: DbLogger } = {},
): Promise<string[]> {
  const current = options.current ?? currentRun();
  const names = await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      String.raw`SELECT datname AS name FROM pg_database WHERE datname LIKE '%\_test\_%'
       UNION SELECT rolname FROM pg_roles WHERE rolname LIKE '%\_test\_%'`,
    );
    return rows.map((row) => row.name);
  });
  const dropped: string[] = [];
  for (const name of names.filter((candidate) => isStale(candidate, current, options.alive)).sort()) {
    try {
      await dropServiceDatabase(adminUrl, { role: name, database: name });
      dropped.push(name);
    } catch (err) {
      options.logger?.warn({ name, err: (err as Error).message }, 'could not drop a stale test database');
    }
  }
  if (dropped.length > 0) {
    options.logger?.info(
      { names: dropped.join(', ') },
      'dropped test databases that killed runs left behind',
    );
  }
  return dropped;
}
