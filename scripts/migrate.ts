// `pnpm --filter <app> migrate` (run from the app's folder): applies the app's pending migrations to
// DATABASE_URL. For deploys; `pnpm dev` and the tests migrate on their own.
import path from 'node:path';
import { migrate } from '../packages/db/src/index.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set: it must point at the service database, as the service role');
  process.exit(1);
}
const migrationsDir = path.resolve(process.argv[2] ?? 'prisma/migrations');

try {
  const { applied } = await migrate({
    url,
    migrationsDir,
    logger: {
      info: (obj, msg) => console.log(msg, ...Object.values(obj)),
      warn: (obj, msg) => console.warn(`warning: ${msg}`, obj),
    },
  });
  console.log(
    applied.length > 0 ? `applied ${applied.length}: ${applied.join(', ')}` : 'no pending migrations',
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
