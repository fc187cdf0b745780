// Postgres refuses to run as root. When we are root, its tools run as the `postgres` system user, who
// must be able to reach the binaries and the data directory: this file is all that handling.
import { spawnSync, type SpawnOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Binaries, Paths } from './postgres-server.ts';

const SYSTEM_USER = 'postgres';

/** The user Postgres' tools run as: undefined for ourselves, the `postgres` system user when we are root. */
export type PostgresUser = { uid: number; gid: number } | undefined;

/** As root: the ids of the `postgres` system user, which is created when missing. */
export function postgresUser(): PostgresUser {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const uid = spawnSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SYSTEM_USER], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0
      ? { uid: Number(uid.stdout), gid: Number(gid.stdout) }
      : undefined;
  };
  const found = lookup();
  if (found) return found;
  spawnSync('groupadd', ['--system', SYSTEM_USER]);
  spawnSync('useradd', ['--system', '-g', SYSTEM_USER, SYSTEM_USER]);
  const created = lookup();
  if (!created) throw new Error('running as root, and no `postgres` system user exists or could be created');
  return created;
}

/** How to spawn one of Postgres' tools: as the right user. */
export function spawnOptions(user: PostgresUser): SpawnOptions {
  // Postgres' messages are matched by nobody, but a C locale keeps them readable in any terminal.
  return { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } };
}

export function chownIfRoot(target: string, user: PostgresUser): void {
  if (user) fs.chownSync(target, user.uid, user.gid);
}

/** Whether the `postgres` user may use `target` (`-x`: run a binary or walk into a folder). */
function postgresCan(user: { uid: number; gid: number }, test: '-x' | '-w', target: string): boolean {
  return spawnSync('test', [test, target], { uid: user.uid, gid: user.gid }).status === 0;
}

// As root, Postgres runs as the `postgres` user, which cannot reach a checkout under a private folder
// (a mktemp -d clone, a 0700 home). Then the binaries are copied once, and the data kept, under a shared
// folder it can reach; the holders and the lock stay in the checkout, where only we need them.
const SHARED_ROOT = path.join(os.tmpdir() === '/tmp' ? '/var/tmp' : os.tmpdir(), 'mini-backends-postgres');

export function reachableLayout(
  bin: Binaries,
  paths: Paths,
  rootDir: string,
  user: PostgresUser,
): { bin: Binaries; paths: Paths } {
  if (!user) return { bin, paths };
  const binReachable = postgresCan(user, '-x', bin.initdb) && postgresCan(user, '-x', bin.pg_ctl);
  const dataReachable = postgresCan(user, '-x', path.dirname(paths.dataDir));
  if (binReachable && dataReachable) return { bin, paths };

  fs.mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
  fs.chmodSync(SHARED_ROOT, 0o755);
  let reachableBin = bin;
  if (!binReachable) {
    // native/bin/initdb -> native: the folder with bin/, lib/ and share/ that must move together.
    const nativeDir = path.dirname(path.dirname(bin.initdb));
    const pkg = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    const copy = path.join(SHARED_ROOT, `${path.basename(pkg.name)}-${pkg.version}`);
    if (!fs.existsSync(path.join(copy, 'bin', 'pg_ctl'))) {
      const partial = `${copy}.${process.pid}.partial`;
      fs.cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
      try {
        fs.renameSync(partial, copy);
      } catch (error) {
        // Another process finished the same copy first: use theirs.
        fs.rmSync(partial, { recursive: true, force: true });
        if (!fs.existsSync(path.join(copy, 'bin', 'pg_ctl'))) throw error;
      }
    }
    reachableBin = { initdb: path.join(copy, 'bin', 'initdb'), pg_ctl: path.join(copy, 'bin', 'pg_ctl') };
  }
  let reachablePaths = paths;
  if (!dataReachable) {
    const dataDir = path.join(SHARED_ROOT, `data-${hash(rootDir)}`);
    reachablePaths = { ...paths, dataDir, logFile: path.join(dataDir, 'postgres.log') };
  }
  return { bin: reachableBin, paths: reachablePaths };
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
