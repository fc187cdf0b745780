// `pnpm new-service <name> [--port N] [--no-install]`: a new mini project under apps/<name>, in the shape of
// the others, with one sample feature, its migration, tests and README. See scripts/new-service/.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { formatFiles, generateService, NewServiceError } from './new-service/generator.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const USAGE = 'usage: pnpm new-service <name> [--port N] [--no-install]';

function parseArgs(argv: string[]): { name: string; port: number | undefined; install: boolean } {
  let name: string | undefined;
  let port: number | undefined;
  let install = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') continue;
    if (arg === '--no-install') install = false;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg === '--port' ? argv[++i] : arg.slice('--port='.length);
      if (value === undefined || !/^\d+$/.test(value))
        throw new NewServiceError(`--port needs a number; ${USAGE}`);
      port = Number(value);
    } else if (arg.startsWith('-')) throw new NewServiceError(`unknown option ${arg}; ${USAGE}`);
    else if (name === undefined) name = arg;
    else throw new NewServiceError(`one name only (got "${name}" and "${arg}"); ${USAGE}`);
  }
  if (name === undefined) throw new NewServiceError(USAGE);
  return { name, port, install };
}

try {
  const { name, port: requested, install } = parseArgs(process.argv.slice(2));
  const { port, files } = generateService({
    root: ROOT,
    name,
    ...(requested === undefined ? {} : { port: requested }),
  });
  await formatFiles(ROOT, files);
  console.log(`created apps/${name} (port ${port}, ${files.length} files)`);

  if (install) {
    // Links the new workspace package, records it in pnpm-lock.yaml and, through postinstall, generates its
    // Prisma client. Everything it needs is already in the store, so the registry is asked only as a fallback.
    // A new workspace package always changes the lockfile: with CI=true pnpm would refuse that by default.
    console.log('pnpm install --prefer-offline --no-frozen-lockfile');
    const result = spawnSync('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (result.status !== 0) {
      console.error(
        `pnpm install failed: apps/${name} is written; run pnpm install yourself, then the steps below`,
      );
      process.exit(1);
    }
  }

  console.log(`
next:
  ${install ? '' : 'pnpm install                     # link it and generate its Prisma client\n  '}pnpm dev --filter ${name}          # http://localhost:${port}/docs (starts auth too: it needs it for tokens)
  pnpm test --project ${name}        # its component tests against a real Postgres
  apps/${name}/README.md             # what it has, a curl session, how to grow it
docker compose, already initialised? docker compose exec postgres sh /docker-entrypoint-initdb.d/10-mini-backends.sh`);
} catch (err) {
  if (err instanceof NewServiceError) {
    console.error(`pnpm new-service: ${err.message}; nothing was written`);
    process.exit(1);
  }
  throw err;
}
