import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

export interface FakeApp {
  mini?: unknown;
  /** Whether it has a src/server.ts (default true). */
  server?: boolean;
  /** The raw package.json text instead of one built from `mini`. */
  packageJson?: string;
}

/** A repository root with apps/<name>/package.json (and src/server.ts) for each app; removed after the test. */
export function fakeRepo(apps: Record<string, FakeApp>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mini-services-'));
  roots.push(root);
  for (const [name, app] of Object.entries(apps)) {
    const dir = path.join(root, 'apps', name);
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    writeFileSync(
      path.join(dir, 'package.json'),
      app.packageJson ?? JSON.stringify({ name, ...(app.mini === undefined ? {} : { mini: app.mini }) }),
    );
    if (app.server !== false) writeFileSync(path.join(dir, 'src/server.ts'), '');
  }
  return root;
}
