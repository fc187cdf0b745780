import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { errorMessage, silentLogger, type DbLogger } from './logger.ts';

export interface MigrateOptions {
  /** Connects as the service's own role, so the tables belong to it. */
  url: string;
  /** An app's prisma/migrations folder: one sub-folder per migration, holding migration.sql. */
  migrationsDir: string;
  logger?: DbLogger;
}

// The same key and table as `prisma migrate deploy`, so either tool can take over from the other.
const ADVISORY_LOCK_KEY = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  readonly migration: string;
  constructor(migration: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
    this.migration = migration;
  }
}

async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const bytes = await readFile(path.join(migrationsDir, name, 'migration.sql'));
    files.push({
      name,
      sql: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    });
  }
  return files;
}

/**
 * Applies the pending migrations of one database the way `prisma migrate deploy` does, without Prisma's
 * native engine: same bookkeeping table, same checksums, same advisory lock. Each migration runs in its
 * own transaction, so a failing one leaves no half-applied schema behind.
 */
export async function migrate(options: MigrateOptions): Promise<{ applied: string[] }> {
  const logger = options.logger ?? silentLogger;
  const migrations = await readMigrations(options.migrationsDir);

  const client = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 10_000 });
  // A connection dropped mid-run surfaces as the failing query's error; the listener only prevents a crash.
  client.on('error', () => {});
  await client.connect();
  try {
    // A migration may rightly run for minutes (an index on a big table). A statement_timeout meant for the
    // service's queries, from the URL's options or the role's settings, must not cut it short.
    await client.query('SET statement_timeout = 0');
    // Several processes may start at once (two terminals, test workers): the second waits, then finds
    // nothing left to do.
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      return await applyPending(client, migrations, logger);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function applyPending(
  client: pg.Client,
  migrations: MigrationFile[],
  logger: DbLogger,
): Promise<{ applied: string[] }> {
  const { rows } = await client.query<MigrationRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );

  // Like Prisma (P3009): a failure recorded by another tool may have left a partial schema; a person must
  // look at it and mark it rolled back (`prisma migrate resolve --rolled-back <name>`) first.
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      failed.migration_name,
      `migration ${failed.migration_name} failed earlier and is not marked as rolled back; fix the database, then run \`prisma migrate resolve --rolled-back ${failed.migration_name}\``,
    );
  }

  const done = new Map<string, string>();
  for (const row of rows) {
    if (row.finished_at !== null && row.rolled_back_at === null) done.set(row.migration_name, row.checksum);
  }

  for (const m of migrations) {
    const checksum = done.get(m.name);
    if (checksum !== undefined && checksum !== m.checksum) {
      throw new MigrationError(
        m.name,
        `migration ${m.name} was modified after it was applied (checksum ${checksum} in the database, ${m.checksum} on disk); add a new migration instead of editing an applied one`,
      );
    }
  }
  const known = new Set(migrations.map((m) => m.name));
  for (const name of done.keys()) {
    if (!known.has(name))
      logger.warn({ migration: name }, 'applied migration is missing from the migrations folder');
  }

  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    const id = randomUUID();
    const startedAt = new Date();
    try {
      await client.query('BEGIN');
      await client.query(m.sql);
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, now(), 1)`,
        [id, m.checksum, m.name, startedAt],
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      // The transaction undid the migration, so it is recorded as rolled back: Prisma and this runner
      // both retry it once migration.sql is fixed.
      await client
        .query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, logs, rolled_back_at, applied_steps_count)
           VALUES ($1, $2, $3, $4, $5, now(), 0)`,
          [id, m.checksum, m.name, startedAt, errorMessage(err)],
        )
        .catch(() => {});
      throw new MigrationError(
        m.name,
        `migration ${m.name} failed and was rolled back: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
    logger.info({ migration: m.name }, 'migration applied');
    applied.push(m.name);
  }
  return { applied };
}
