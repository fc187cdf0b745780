// The embedded Postgres that every process of a checkout shares (pnpm dev in two terminals, a test run next
// to them): a lock so that one of them starts it, a holder file per process, and the last one to let go
// stops it. The server itself is postgres-server.ts; running as root is postgres-user.ts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withLock, withLockSync } from './dir-lock.ts';
import { silentLogger, type DevDbLogger } from './logger.ts';
import {
  initdb,
  isAlive,
  isInitialised,
  loadBinaries,
  pathsFor,
  runningPort,
  start,
  stop,
  stopSync,
  SUPERUSER,
  SUPERUSER_PASSWORD,
} from './postgres-server.ts';
import { postgresUser, reachableLayout } from './postgres-user.ts';

export const DEFAULT_EMBEDDED_PORT = 54329;
const LOCK_TIMEOUT_MS = 120_000;

export interface AcquireEmbeddedOptions {
  /** The repository root: data lives in <rootDir>/.data (git-ignored). */
  rootDir: string;
  /** Defaults to EMBEDDED_PG_PORT, then 54329. Never 5432, which a machine's own Postgres may hold. */
  port?: number;
  logger?: DevDbLogger;
}

export interface AdminHandle {
  adminUrl: string;
  /** Drops this holder; stops Postgres when no other live process holds it. Safe to call twice. */
  release(): Promise<void>;
  /** The same, synchronously, for process.on('exit') where nothing async runs any more. */
  releaseSync(): void;
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
        await stop(bin, paths, user);
        logger.info({ port }, 'embedded Postgres stopped (last holder released it)');
      });
    },
    releaseSync() {
      if (released) return;
      released = true;
      withLockSync(paths.lockDir, LOCK_TIMEOUT_MS, () => {
        if (shouldStop()) stopSync(bin, paths, user);
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
