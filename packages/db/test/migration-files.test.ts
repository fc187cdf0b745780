import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const appsDir = path.resolve(import.meta.dirname, '../../../apps');

function migrationFiles(): string[] {
  return readdirSync(appsDir).flatMap((app) => {
    const dir = path.join(appsDir, app, 'prisma/migrations');
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      return [];
    }
    return names.map((name) => path.join(dir, name, 'migration.sql'));
  });
}

describe("the services' committed migrations", () => {
  it('exist for every app that has a Prisma schema', () => {
    expect(migrationFiles().length).toBeGreaterThan(0);
  });

  // Prisma's schema engine (`prisma migrate dev`, its shadow database) splits a script at every `;` without
  // reading comments: a `;` in a comment cuts a statement in two and the migration fails to apply there,
  // although this project's own runner (which sends the script whole) applies it fine.
  it.each(migrationFiles().map((file) => [path.relative(appsDir, file), file]))(
    '%s has no semicolon inside a comment',
    (_name, file) => {
      const offending = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /--.*;/.test(line));
      expect(offending).toEqual([]);
    },
  );
});
