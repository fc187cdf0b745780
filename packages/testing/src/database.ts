import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, type DbLogger } from '@mini/db';
import {
  bootstrapServiceDatabase,
  dropServiceDatabase,
  releaseOnExit,
  resolveAdminUrl,
  serviceUrl,
} from '@mini/dev-db';
import { sweepStaleTestDatabases, testDatabaseName } from './stale-databases.ts';

/** The repository root, where the shared embedded Postgres keeps its data (.data/). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

// The sweep is worth a line on the terminal even when the caller passed no logger.
const stderrLogger: DbLogger = {
  info: (obj, msg) => process.stderr.write(`${msg}: ${Object.values(obj).join(' ')}\n`),
  warn: (obj, msg) => process.stderr.write(`warning: ${msg}: ${JSON.stringify(obj)}\n`),
};

export interface ServiceTestDatabaseOptions {
  /** The service's name; the database and role are called <service>_test_<start>_<pid>_<host>_<random>. */
  service: string;
  /** The app's prisma/migrations folder. */
  migrationsDir: string | URL;
  /** Where the embedded Postgres lives when DATABASE_ADMIN_URL is unset; defaults to this repository. */
  rootDir?: string;
  logger?: DbLogger;
}

export interface ServiceTestDatabase {
  databaseUrl: string;
  /** Drops the database and its role, then lets go of the embedded Postgres. */
  teardown(): Promise<void>;
}

/**
 * A fresh database for one test run of one service, migrated and owned by its own role exactly like the
 * service's real one, so permission mistakes show up in tests too. Runs side by side with `pnpm dev` and
 * with other test runs: every run has its own names.
 */
export async function setupServiceTestDatabase(
  options: ServiceTestDatabaseOptions,
): Promise<ServiceTestDatabase> {
  const admin = await resolveAdminUrl({
    rootDir: options.rootDir ?? REPO_ROOT,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  // If the runner dies before teardown, at least the embedded Postgres is not kept running for nobody.
  const forgetExitHook = releaseOnExit(admin);
  const name = testDatabaseName(options.service);
  const service = { role: name, database: name, password: randomBytes(18).toString('base64url') };
  const databaseUrl = serviceUrl(admin.adminUrl, service);

  const teardown = async () => {
    try {
      await dropServiceDatabase(admin.adminUrl, service);
    } finally {
      forgetExitHook();
      await admin.release();
    }
  };

  try {
    // What runs killed midway left behind goes first, so that it does not pile up (see stale-databases.ts).
    await sweepStaleTestDatabases(admin.adminUrl, { logger: options.logger ?? stderrLogger });
    await bootstrapServiceDatabase(admin.adminUrl, service);
    const migrationsDir =
      options.migrationsDir instanceof URL ? fileURLToPath(options.migrationsDir) : options.migrationsDir;
    await migrate({ url: databaseUrl, migrationsDir, ...(options.logger ? { logger: options.logger } : {}) });
  } catch (err) {
    await teardown().catch(() => {});
    throw err;
  }
  return { databaseUrl, teardown };
}
