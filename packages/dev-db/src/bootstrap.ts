import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';

export interface ServiceDatabase {
  role: string;
  database: string;
  password: string;
}

/** prisma/bootstrap.sql at the repository root: the one bootstrap docker-compose, dev and tests share. */
export const BOOTSTRAP_SQL_PATH = new URL('../../../prisma/bootstrap.sql', import.meta.url);

// Already there: a second `pnpm dev`, or a database docker-compose created. Anything else is a real error.
const ALREADY_EXISTS = new Set(['42710', '42P04']);

/**
 * Splits the psql script into statements and fills in psql's `:"name"` (identifier) and `:'name'`
 * (literal) variables with pg's own escaping. Splitting happens before substitution, so a semicolon in a
 * password cannot end a statement early.
 */
export function renderBootstrap(template: string, vars: Record<string, string>): string[] {
  const withoutComments = template
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0)
    .map((statement) =>
      statement.replace(/:(["'])(\w+)\1/g, (_match, quote: string, name: string) => {
        const value = vars[name];
        if (value === undefined)
          throw new Error(`bootstrap.sql uses :${quote}${name}${quote}, which has no value`);
        return quote === '"' ? pg.escapeIdentifier(value) : pg.escapeLiteral(value);
      }),
    );
}

/** One short-lived connection: for admin statements and one-off queries, where a pool would be overkill. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A dropped connection surfaces as the failing query's error; the listener only prevents a crash.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a service's login role and database from prisma/bootstrap.sql. Safe to run on every start:
 * what already exists is kept as it is (an existing role keeps its password).
 */
export async function bootstrapServiceDatabase(adminUrl: string, service: ServiceDatabase): Promise<void> {
  const template = await readFile(BOOTSTRAP_SQL_PATH, 'utf8');
  const statements = renderBootstrap(template, { ...service });
  await withClient(adminUrl, async (client) => {
    for (const statement of statements) {
      try {
        await client.query(statement);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === undefined || !ALREADY_EXISTS.has(code)) throw err;
      }
    }
  });
}

/** Drops a service's database (disconnecting its sessions) and its role. Missing ones are fine. */
export async function dropServiceDatabase(
  adminUrl: string,
  service: Pick<ServiceDatabase, 'role' | 'database'>,
): Promise<void> {
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(service.database)} WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(service.role)}`);
  });
}

/** The service's DATABASE_URL: the admin URL's host, port and parameters with the service's credentials. */
export function serviceUrl(adminUrl: string, service: ServiceDatabase): string {
  const url = new URL(adminUrl);
  url.username = encodeURIComponent(service.role);
  url.password = encodeURIComponent(service.password);
  // pg decodes the path with decodeURI, so the URL's own escaping (not encodeURIComponent) round-trips.
  url.pathname = `/${service.database}`;
  return url.toString();
}

export interface ScratchDatabase extends ServiceDatabase {
  url: string;
  /** Drops the database and its role. */
  drop(): Promise<void>;
}

/** A throw-away database and role named <prefix>_<random>, made by the same bootstrap the services use. */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const service = { role: name, database: name, password: randomBytes(12).toString('hex') };
  await bootstrapServiceDatabase(adminUrl, service);
  return {
    ...service,
    url: serviceUrl(adminUrl, service),
    drop: () => dropServiceDatabase(adminUrl, service),
  };
}
