import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  choosePort,
  formatFiles,
  generateService,
  MAX_NAME_LENGTH,
  nameProblem,
  NewServiceError,
  placeholders,
  singularOf,
} from '../new-service/generator.ts';
import { listServices } from '../lib/services.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const roots: string[] = [];

/** A repository root with apps auth (3001) and tasks (3002) and a kit package, as far as the generator looks. */
function fakeRoot(apps: Record<string, number> = { auth: 3001, tasks: 3002 }): string {
  const root = mkdtempSync(path.join(tmpdir(), 'new-service-'));
  roots.push(root);
  for (const [name, port] of Object.entries(apps)) {
    mkdirSync(path.join(root, 'apps', name), { recursive: true });
    const pkg = { name, mini: { port } };
    writeFileSync(path.join(root, 'apps', name, 'package.json'), JSON.stringify(pkg));
  }
  mkdirSync(path.join(root, 'packages', 'config'), { recursive: true });
  copyFileSync(path.join(REPO, '.prettierrc.json'), path.join(root, '.prettierrc.json'));
  return root;
}

/** Every file under dir, relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('service names', () => {
  it('accepts a lowercase name of letters and digits', () => {
    const root = fakeRoot();
    for (const name of ['notes', 'shortener2', 'blog', 'a'.repeat(MAX_NAME_LENGTH)]) {
      expect(nameProblem(name, root)).toBeUndefined();
    }
  });

  it.each([
    ['../x', /not a valid name/],
    ['notes/../../x', /not a valid name/],
    ['Auth', /not a valid name.*try "auth"/],
    ['NOTES', /lowercase/],
    ['url-shortener', /not a valid name/],
    ['my_notes', /not a valid name/],
    ['2fa', /not a valid name/],
    ['', /give the service a name/],
    ['n', /too short/],
    ['a'.repeat(MAX_NAME_LENGTH + 1), /too long/],
    ['healthz', /reserved/],
    ['docs', /reserved/],
    ['postgres', /reserved/],
    ['template1', /reserved/],
    ['delete', /reserved/],
    ['packages', /reserved/],
    ['auth', /apps\/auth already exists/],
    ['tasks', /apps\/tasks already exists/],
    ['config', /kit package/],
  ])('refuses %j with a message saying why', (name, message) => {
    expect(nameProblem(name, fakeRoot())).toMatch(message);
  });
});

describe('the sample feature', () => {
  it('names one row by the singular of a plural name, and "<name>Item" otherwise', () => {
    expect(singularOf('notes')).toBe('note');
    expect(singularOf('address')).toBe('addressItem');
    expect(singularOf('shortener')).toBe('shortenerItem');
  });
});

describe('ports', () => {
  it('gives a new service the port after the highest one declared or planned (blog..chat: 3003..3005)', () => {
    expect(choosePort('notes', fakeRoot())).toBe(3006);
    expect(choosePort('notes', fakeRoot({ auth: 3001, tasks: 3002, mine: 3010 }))).toBe(3011);
  });

  it('gives a planned service (blog, inventory, chat) the port the README promises it', () => {
    expect(choosePort('blog', fakeRoot())).toBe(3003);
    expect(choosePort('chat', fakeRoot())).toBe(3005);
  });

  it('takes --port when it is free, and refuses a taken or impossible one', () => {
    const root = fakeRoot();
    expect(choosePort('notes', root, 4000)).toBe(4000);
    expect(() => choosePort('notes', root, 3002)).toThrow(/3002 is already taken by tasks/);
    expect(() => choosePort('notes', root, 3004)).toThrow(/taken by inventory \(planned\)/);
    expect(() => choosePort('notes', root, 80)).toThrow(NewServiceError);
    expect(() => choosePort('notes', root, 70_000)).toThrow(/1024 to 65535/);
  });

  it('finds the services on disk by port, and skips folders without a package.json', () => {
    const root = fakeRoot({ tasks: 3002, auth: 3001, scratch: 3010 });
    mkdirSync(path.join(root, 'apps', 'not-an-app'));
    expect(listServices(root).map(({ name, port }) => ({ name, port }))).toEqual([
      { name: 'auth', port: 3001 },
      { name: 'tasks', port: 3002 },
      { name: 'scratch', port: 3010 },
    ]);
  });
});

describe('generating a service', () => {
  it('writes apps/<name> in the house shape with every placeholder filled in', () => {
    const root = fakeRoot();
    const now = new Date('2026-12-07T10:11:12.345Z');
    const { port, files } = generateService({ root, name: 'notes', now });

    expect(port).toBe(3006);
    expect(files).toEqual(expect.arrayContaining([
      'apps/notes/package.json',
      'apps/notes/tsconfig.json',
      'apps/notes/vitest.config.ts',
      'apps/notes/README.md',
      'apps/notes/prisma/schema.prisma',
      'apps/notes/prisma/migrations/20261207101112_init/migration.sql',
      'apps/notes/prisma/migrations/migration_lock.toml',
      'apps/notes/src/server.ts',
      'apps/notes/src/app.ts',
      'apps/notes/src/config.ts',
      'apps/notes/src/repositories.ts',
      'apps/notes/src/notes/notes.routes.ts',
      'apps/notes/src/notes/notes.service.ts',
      'apps/notes/src/notes/notes.repository.ts',
      'apps/notes/src/notes/notes.schemas.ts',
      'apps/notes/test/notes.test.ts',
    ])); // prettier-ignore
    const names = placeholders('x', 1, now).map(([placeholder]) => placeholder);
    for (const file of files) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const placeholder of names) {
        expect(file).not.toContain(placeholder);
        expect(text, file).not.toContain(placeholder);
      }
      // Nor one the generator does not know (a typo in the template); __proto__ is test data.
      expect(text.replaceAll('__proto__', ''), file).not.toMatch(/__[A-Za-z]+__/);
    }
    const pkg = JSON.parse(readFileSync(path.join(root, 'apps/notes/package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'notes', mini: { port: 3006 } });
    expect(readFileSync(path.join(root, 'apps/notes/src/config.ts'), 'utf8')).toContain('portSchema(3006)');
    expect(readFileSync(path.join(root, 'apps/notes/prisma/schema.prisma'), 'utf8')).toMatch(
      /model Note \{[^}]*@@map\("notes"\)/,
    );
    expect(
      readFileSync(
        path.join(
          root,
          files.find((f) => f.endsWith('migration.sql'))!,
        ),
        'utf8',
      ),
    ).toContain('CREATE TABLE "notes"');
    // The new service is one the discovery finds, so pnpm dev serves it on its port.
    expect(listServices(root).map(({ name, port }) => ({ name, port }))).toContainEqual({
      name: 'notes',
      port: 3006,
    });
  });

  it('formats what it writes with the repository prettier settings', async () => {
    const root = fakeRoot();
    const { files } = generateService({ root, name: 'abcdefghijklmnopqrst' });
    await formatFiles(root, files);
    const prettier = await import('prettier');
    for (const file of files.filter((f) => /\.(ts|json|md)$/.test(f))) {
      const absolute = path.join(root, file);
      const options = { ...(await prettier.resolveConfig(absolute)), filepath: absolute };
      expect(await prettier.check(readFileSync(absolute, 'utf8'), options), file).toBe(true);
    }
  });

  it('when the name is refused, writes nothing', () => {
    const root = fakeRoot();
    const before = listFiles(root);
    for (const name of ['../x', 'Auth', 'auth', 'healthz']) {
      expect(() => generateService({ root, name })).toThrow(NewServiceError);
    }
    expect(() => generateService({ root, name: 'notes', port: 3001 })).toThrow(/taken by auth/);
    expect(listFiles(root)).toEqual(before);
    expect(existsSync(path.join(root, 'x'))).toBe(false);
  });

  it('when writing fails halfway, removes what it wrote', () => {
    const root = fakeRoot();
    const template = path.join(root, 'template');
    mkdirSync(path.join(template, 'src'), { recursive: true });
    writeFileSync(path.join(template, 'a.txt'), '__name__');
    symlinkSync(path.join(root, 'nowhere'), path.join(template, 'src', 'broken.ts'));
    expect(() => generateService({ root, name: 'notes', templateDir: template })).toThrow(/ENOENT/);
    expect(existsSync(path.join(root, 'apps', 'notes'))).toBe(false);
  });
});

describe('pnpm new-service', () => {
  it('refuses a bad name with a clear message, an exit code and nothing written', () => {
    const before = readdirSync(path.join(REPO, 'apps')).sort();
    for (const [name, message] of [
      ['../x', /"..\/x" is not a valid name/],
      ['Auth', /try "auth"/],
      ['auth', /apps\/auth already exists/],
    ] as const) {
      const result = spawnSync(process.execPath, ['scripts/new-service.ts', name], {
        cwd: REPO,
        encoding: 'utf8',
      });
      expect(result.status, name).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/nothing was written/);
    }
    expect(readdirSync(path.join(REPO, 'apps')).sort()).toEqual(before);
    expect(existsSync(path.join(REPO, 'x'))).toBe(false);
  });
});
