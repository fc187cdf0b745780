import path from 'node:path';
import { defineConfig } from 'prisma/config';

const SCHEMA_ENGINE_STUB = path.resolve(import.meta.dirname, '../../../prisma/schema-engine-stub.sh');

/**
 * The prisma.config.ts of every service: `export default servicePrismaConfig();` in apps/<svc>, where the
 * Prisma CLI runs (the paths are relative to that folder).
 */
export function servicePrismaConfig() {
  // `prisma generate` never runs the schema engine, but Prisma 7 downloads it before any command, which
  // fails offline. For generate only, point Prisma at a stub; migrate and the rest keep the real engine.
  if (process.argv.includes('generate') && !process.env.PRISMA_SCHEMA_ENGINE_BINARY) {
    process.env.PRISMA_SCHEMA_ENGINE_BINARY = SCHEMA_ENGINE_STUB;
  }
  return defineConfig({
    schema: 'prisma/schema.prisma',
    migrations: { path: 'prisma/migrations' },
    // process.env, not env(): env() throws when the variable is unset, and generate does not need it.
    datasource: { url: process.env.DATABASE_URL ?? '' },
  });
}
