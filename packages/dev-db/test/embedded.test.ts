import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireEmbeddedPostgres, resolveAdminUrl } from '../src/index.ts';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function startHolder(
  rootDir: string,
  port: number,
): Promise<{ child: ChildProcessWithoutNullStreams; adminUrl: string }> {
  const child = spawn(process.execPath, [
    path.join(import.meta.dirname, 'fixtures/hold-embedded.ts'),
    rootDir,
    String(port),
  ]);
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', (chunk: Buffer) => resolve({ child, adminUrl: chunk.toString().trim() }));
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}: ${stderr}`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode === null ? child.once('exit', () => resolve()) : resolve(),
  );
}

let rootDir: string;
let port: number;

beforeAll(async () => {
  rootDir = mkdtempSync(path.join(os.tmpdir(), 'embedded-pg-'));
  // When tests run as root, Postgres runs as the postgres user and must be able to reach its data.
  chmodSync(rootDir, 0o755);
  port = await freePort();
});
afterAll(() => {
  rmSync(rootDir, { recursive: true, force: true });
});

describe('acquireEmbeddedPostgres', () => {
  it(
    'when several processes hold it, it runs until the last live holder releases it',
    { timeout: 60_000 },
    async () => {
      const first = await acquireEmbeddedPostgres({ rootDir, port });
      expect(first.adminUrl).toBe(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
      expect(existsSync(path.join(rootDir, '.data/postgres/PG_VERSION'))).toBe(true);
      expect(await canConnect(first.adminUrl)).toBe(true);

      const other = await startHolder(rootDir, port);
      expect(other.adminUrl).toBe(first.adminUrl);
      expect(readdirSync(path.join(rootDir, '.data/postgres-holders'))).toHaveLength(2);

      await first.release();
      expect(await canConnect(first.adminUrl)).toBe(true);

      other.child.stdin.write('release\n');
      await exited(other.child);
      expect(await canConnect(first.adminUrl)).toBe(false);
      expect(readdirSync(path.join(rootDir, '.data/postgres-holders'))).toHaveLength(0);
    },
  );

  it(
    'when a holder died without releasing, the last live holder still stops it',
    { timeout: 60_000 },
    async () => {
      const crashed = await startHolder(rootDir, port);
      const mine = await acquireEmbeddedPostgres({ rootDir, port });
      crashed.child.kill('SIGKILL');
      await exited(crashed.child);

      await mine.release();

      expect(await canConnect(mine.adminUrl)).toBe(false);
    },
  );

  it('when a lock was left behind by a dead process, takes it over', { timeout: 60_000 }, async () => {
    const lockDir = path.join(rootDir, '.data/postgres.lock');
    mkdirSync(lockDir);
    writeFileSync(path.join(lockDir, 'pid'), '999999999');

    const handle = await acquireEmbeddedPostgres({ rootDir, port });
    try {
      expect(await canConnect(handle.adminUrl)).toBe(true);
    } finally {
      handle.releaseSync();
    }
    expect(await canConnect(handle.adminUrl)).toBe(false);
    expect(existsSync(lockDir)).toBe(false);
  });

  it('when asked for port 5432, refuses', async () => {
    await expect(acquireEmbeddedPostgres({ rootDir, port: 5432 })).rejects.toThrow(/never uses 5432/);
  });
});

describe('resolveAdminUrl', () => {
  it('when DATABASE_ADMIN_URL is set, uses it and starts nothing', async () => {
    const scratchRoot = mkdtempSync(path.join(os.tmpdir(), 'no-embedded-'));
    try {
      const handle = await resolveAdminUrl({
        rootDir: scratchRoot,
        env: { DATABASE_ADMIN_URL: 'postgres://someone@db.example:5432/postgres' },
      });
      expect(handle).toMatchObject({
        adminUrl: 'postgres://someone@db.example:5432/postgres',
        embedded: false,
      });
      await handle.release();
      expect(existsSync(path.join(scratchRoot, '.data'))).toBe(false);
    } finally {
      rmSync(scratchRoot, { recursive: true, force: true });
    }
  });
});
