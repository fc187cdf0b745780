// `pnpm dev` / `pnpm start` [--filter NAME ...] [--only]: starts each selected service and the services it
// needs (declared in its package.json, see lib/services.ts), gives each a database (DATABASE_URL, or the
// shared embedded Postgres) and migrates it, tells each where the others listen (<NAME>_PORT, <NAME>_URL),
// and on Ctrl-C stops them and, when this was the last user of the embedded Postgres, stops that too.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { migrate, MigrationError, type DbLogger } from '../packages/db/src/index.ts';
import {
  bootstrapServiceDatabase,
  releaseOnExit,
  resolveAdminUrl,
  serviceUrl,
  type AdminHandle,
} from '../packages/dev-db/src/index.ts';
import {
  envPrefix,
  listServices,
  REPO_ROOT as ROOT,
  ServiceDeclarationError,
  type Service,
} from './lib/services.ts';
import { parseArgs, planRun, UsageError, type Mode } from './lib/run-plan.ts';

// Time a service gets to finish in-flight requests after the signal, before it is killed.
const STOP_TIMEOUT_MS = 15_000;

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
const COLORS = [36, 35, 33, 32, 34];
function label(name: string, index: number): string {
  const text = `${name.padEnd(9)}|`;
  return useColor ? `\x1b[${COLORS[index % COLORS.length]}m${text}\x1b[0m` : text;
}

const say = (message: string) => console.log(`${label('run', 4)} ${message}`);
const fields = (obj: Record<string, unknown>) =>
  Object.entries(obj)
    .map(([key, value]) => ` ${key}=${String(value)}`)
    .join('');
const dbLogger: DbLogger = {
  info: (obj, msg) => say(`${msg}${fields(obj)}`),
  warn: (obj, msg) => say(`warning: ${msg}${fields(obj)}`),
};

/** DATABASE_URL per service: <SERVICE>_DATABASE_URL, or the service's own role and database on the admin URL. */
async function prepareDatabases(
  apps: string[],
  getAdmin: () => Promise<AdminHandle>,
): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (const app of apps) {
    const configured = process.env[`${envPrefix(app)}_DATABASE_URL`];
    let url: string;
    if (configured) {
      url = configured;
    } else {
      const { adminUrl } = await getAdmin();
      // Development credentials: role, database and password are all the service's name.
      const service = { role: app, database: app, password: app };
      await bootstrapServiceDatabase(adminUrl, service);
      url = serviceUrl(adminUrl, service);
    }
    const migrationsDir = path.join(ROOT, 'apps', app, 'prisma/migrations');
    if (existsSync(migrationsDir)) {
      // The runner logs each migration it applies; say so when there was nothing to do.
      const { applied } = await migrate({ url, migrationsDir, logger: dbLogger });
      if (applied.length === 0) say(`${app}: migrations up to date`);
    }
    urls.set(app, url);
  }
  return urls;
}

function childEnv(
  mode: Mode,
  app: string,
  databaseUrl: string,
  services: Service[],
  discovery: Record<string, string>,
): NodeJS.ProcessEnv {
  const nodeEnv = mode === 'start' ? 'production' : (process.env.NODE_ENV ?? 'development');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Where every service listens (AUTH_PORT, AUTH_URL ...): how this one finds those it calls.
    ...discovery,
    DATABASE_URL: databaseUrl,
    PORT: discovery[`${envPrefix(app)}_PORT`],
    NODE_ENV: nodeEnv,
  };
  // A service that verifies tokens fetches auth's public keys from where auth is.
  if (discovery.AUTH_URL) {
    env.AUTH_JWKS_URL ??= `${discovery.AUTH_URL.replace(/\/+$/, '')}/.well-known/jwks.json`;
  }
  // Development reads its verification and reset mails at auth's GET /dev/outbox, which is off unless
  // switched on (and refused in production).
  if (nodeEnv === 'development') env.DEV_OUTBOX ??= 'true';
  if (mode === 'start' && app === 'auth' && !process.env.JWT_KEYS_DIR && !process.env.JWT_PRIVATE_KEY) {
    env.JWT_KEYS_DIR = localSigningKeys();
  }
  if (mode === 'start' && app === 'auth' && !process.env.PASSWORD_PEPPER) env.PASSWORD_PEPPER = localPepper();
  // A service gets its own credentials only, never the superuser's.
  delete env.DATABASE_ADMIN_URL;
  for (const other of services) {
    if (other.name !== app) delete env[`${envPrefix(other.name)}_DATABASE_URL`];
  }
  return env;
}

/**
 * In production the auth service refuses to start without signing keys (it generates them only in
 * development). `pnpm start` runs the production build on this machine, so it hands auth the local key
 * folder that development uses, creating a key the same way (a P-256 PKCS#8 PEM named by its UTC time)
 * when there is none. A real deployment sets JWT_PRIVATE_KEY or JWT_KEYS_DIR itself.
 */
function localSigningKeys(): string {
  const dir = path.join(ROOT, '.data', 'keys', 'auth');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!readdirSync(dir).some((file) => file.endsWith('.pem'))) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    writeFileSync(path.join(dir, `${stamp}-${randomBytes(3).toString('hex')}.pem`), pem, { mode: 0o600 });
  }
  say(
    `auth signs with the local keys in ${path.relative(ROOT, dir)} (set JWT_PRIVATE_KEY in a real deployment)`,
  );
  return dir;
}

/**
 * The same for the password pepper, which production requires: `pnpm start` hands auth the one development
 * generated in .data/keys/auth-password-pepper (creating it the same way when there is none), so accounts
 * made under `pnpm dev` sign in under `pnpm start` too. A real deployment sets PASSWORD_PEPPER itself.
 */
function localPepper(): string {
  const file = path.join(ROOT, '.data', 'keys', 'auth-password-pepper');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  say(`auth peppers passwords with ${path.relative(ROOT, file)} (set PASSWORD_PEPPER in a real deployment)`);
  return readFileSync(file, 'utf8').trim();
}

/** Passes JSON log lines through untouched (they name their service) and prefixes everything else. */
function pipeLines(stream: NodeJS.ReadableStream, out: NodeJS.WriteStream, prefix: string): void {
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    out.write(line.startsWith('{') ? `${line}\n` : `${prefix} ${line}\n`);
  });
}

function spawnApp(mode: Mode, app: string, env: NodeJS.ProcessEnv, prefix: string | undefined): ChildProcess {
  const cwd = path.join(ROOT, 'apps', app);
  let args: string[];
  if (mode === 'dev') {
    const tsxCli = createRequire(path.join(ROOT, 'package.json')).resolve('tsx/cli');
    args = [tsxCli, 'watch', '--clear-screen=false', 'src/server.ts'];
  } else {
    args = ['dist/server.js'];
  }
  // Own process group: a Ctrl-C in the terminal reaches only us, and we pass it on exactly once. tsx
  // treats a second SIGINT as "force kill", which would cut the service's graceful shutdown short.
  const child = spawn(process.execPath, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', prefix ? 'pipe' : 'inherit', prefix ? 'pipe' : 'inherit'],
  });
  if (prefix && child.stdout && child.stderr) {
    pipeLines(child.stdout, process.stdout, prefix);
    pipeLines(child.stderr, process.stderr, prefix);
  }
  return child;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const { mode } = args;
  const services = listServices(ROOT);
  const { start: apps, notes, discovery } = await planRun(services, args, process.env);
  for (const note of notes) say(note);
  const unbuilt =
    mode === 'start' ? apps.filter((app) => !existsSync(path.join(ROOT, 'apps', app, 'dist/server.js'))) : [];
  if (unbuilt.length > 0) throw new UsageError(`not built: ${unbuilt.join(', ')}; run pnpm build first`);

  let admin: (AdminHandle & { embedded: boolean }) | undefined;
  let stopping: NodeJS.Signals | undefined;
  let forced = false;
  const crashed: string[] = [];
  const children = new Map<string, ChildProcess>();

  const releaseAdmin = async () => {
    if (admin?.embedded) say('releasing the embedded Postgres');
    await admin?.release();
  };

  const exited = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        say('second signal: killing the services');
        forced = true;
        for (const child of children.values()) killGroup(child, 'SIGKILL');
        return;
      }
      stopping = signal;
      if (children.size === 0) resolve();
      for (const [name, child] of children) {
        say(`stopping ${name}`);
        child.kill(signal);
        setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS).unref();
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    waitAll = resolve;
  });

  try {
    const urls = await prepareDatabases(apps, async () => {
      if (!admin) {
        admin = await resolveAdminUrl({ rootDir: ROOT, logger: dbLogger });
        // Covers a crash of this script itself; signals take the orderly path below.
        releaseOnExit(admin);
      }
      return admin;
    });
    if (stopping) {
      await releaseAdmin();
      say('stopped before any service started: nothing is left running');
      return 0;
    }

    const single = apps.length === 1;
    for (const [index, app] of apps.entries()) {
      const env = childEnv(mode, app, urls.get(app) ?? '', services, discovery);
      const port = env.PORT;
      const child = spawnApp(mode, app, env, single ? undefined : label(app, index));
      children.set(app, child);
      say(`${app} on http://localhost:${port} (${mode === 'dev' ? 'tsx watch' : 'node dist/server.js'})`);
      child.on('exit', (code, signal) => {
        children.delete(app);
        if (!stopping) {
          crashed.push(app);
          say(`${app} exited unexpectedly (${signal ?? `code ${code}`})`);
          // A production process supervisor restarts the whole set; in dev the others keep running.
          if (mode === 'start') process.kill(process.pid, 'SIGTERM');
        }
        if (children.size === 0) waitAll();
      });
    }

    await exited;
    await releaseAdmin();
    // The last line says plainly that all is down: pnpm may print its own lines after ours.
    const crashNote = crashed.length > 0 ? ` (${listed(crashed)} had exited unexpectedly)` : '';
    say(
      `${forced ? 'killed' : 'stopped'} ${listed(apps)}${crashNote}: nothing this command started is still running`,
    );
    // A Ctrl-C that stopped everything gracefully is a success: exit 0, so that pnpm reports no failure.
    if (forced) return 130;
    return crashed.length > 0 || !stopping ? 1 : 0;
  } catch (err) {
    for (const child of children.values()) killGroup(child, 'SIGKILL');
    await releaseAdmin().catch(() => {});
    throw err;
  }
}

let waitAll: () => void = () => {};

/** "auth", "auth and tasks", "auth, tasks and blog". */
function listed(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Expected failures read best as one line; anything else keeps its stack.
    const expected =
      err instanceof UsageError || err instanceof MigrationError || err instanceof ServiceDeclarationError;
    console.error(expected ? err.message : err);
    process.exit(1);
  },
);
