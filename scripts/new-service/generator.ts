// What `pnpm new-service <name>` does, apart from talking to the terminal: check the name, choose the port,
// copy the template folder with its placeholders replaced. It knows nothing of what the template contains,
// so the template (scripts/new-service/template/) can change shape without an edit here.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listServices, PLANNED_PORTS } from '../lib/services.ts';

export const TEMPLATE_DIR = path.join(import.meta.dirname, 'template');

export const MAX_NAME_LENGTH = 20;
const LOWEST_PORT = 1024;

/**
 * Names a service may not take although they are well formed: the kit's own endpoints (the sample
 * feature is served at /<name>), folders and tools of the workspace, Postgres' own databases and roles,
 * and JavaScript's reserved words (the name becomes an identifier in the generated code).
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  // the kit's endpoints
  'healthz', 'readyz', 'metrics', 'docs', 'openapi',
  // the workspace
  'apps', 'packages', 'scripts', 'bench', 'prisma', 'node', 'modules', 'dist', 'src', 'test', 'tests',
  'generated', 'template', 'templates', 'mini', 'kit', 'shared', 'pnpm', 'npm',
  // Postgres
  'postgres', 'public', 'template0', 'template1', 'redis',
  // JavaScript
  'arguments', 'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default',
  'delete', 'do', 'else', 'enum', 'eval', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if',
  'implements', 'import', 'in', 'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private',
  'protected', 'static', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'undefined', 'var',
  'void', 'while', 'with', 'yield', 'prototype', 'constructor',
]); // prettier-ignore

export class NewServiceError extends Error {}

/**
 * Why `name` cannot be a new service under `root`, or undefined when it can. The name becomes a folder,
 * a package, a Postgres database and role, a URL path and part of identifiers, so it is kept to what is
 * safe as all of them: a lowercase letter, then lowercase letters and digits.
 */
export function nameProblem(name: string, root: string): string | undefined {
  if (name === '') return 'give the service a name, e.g. pnpm new-service notes';
  if (name.length > MAX_NAME_LENGTH) {
    return `"${name}" is too long: at most ${MAX_NAME_LENGTH} characters (it also names a database and its test copies)`;
  }
  if (!/^[a-z][a-z0-9]*$/.test(name)) {
    const hint =
      /[A-Z]/.test(name) && /^[a-zA-Z][a-zA-Z0-9]*$/.test(name) ? `; try "${name.toLowerCase()}"` : '';
    return `"${name}" is not a valid name: use a lowercase letter, then lowercase letters and digits (e.g. notes, shortener2)${hint}`;
  }
  if (name.length < 2) return `"${name}" is too short: at least 2 characters`;
  if (RESERVED_NAMES.has(name))
    return `"${name}" is reserved (used by the kit, the workspace, Postgres or JavaScript)`;
  if (existsSync(path.join(root, 'apps', name))) return `apps/${name} already exists`;
  // Another workspace package of that name (packages/<name>) would make `--filter <name>` ambiguous.
  if (existsSync(path.join(root, 'packages', name)))
    return `"${name}" is the name of a kit package (packages/${name})`;
  return undefined;
}

/**
 * The port for a new service: `requested` when given and free; otherwise the port planned for it (blog,
 * inventory, chat), otherwise the next one after the highest that any service declares or is promised.
 */
export function choosePort(name: string, root: string, requested?: number): number {
  const taken = new Map<number, string>();
  for (const service of listServices(root)) {
    if (service.port !== undefined) taken.set(service.port, service.name);
  }
  for (const [planned, port] of Object.entries(PLANNED_PORTS)) {
    if (planned !== name && !taken.has(port)) taken.set(port, `${planned} (planned)`);
  }
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < LOWEST_PORT || requested > 65_535) {
      throw new NewServiceError(`--port must be a whole number from ${LOWEST_PORT} to 65535`);
    }
    const owner = taken.get(requested);
    if (owner !== undefined) throw new NewServiceError(`port ${requested} is already taken by ${owner}`);
    return requested;
  }
  const planned = PLANNED_PORTS[name];
  if (planned !== undefined && !taken.has(planned)) return planned;
  return Math.max(3000, ...taken.keys()) + 1;
}

/** The singular of a name, for one row of the sample feature: notes -> note; anything else gets "Item". */
export function singularOf(name: string): string {
  return name.length > 3 && name.endsWith('s') && !name.endsWith('ss') ? name.slice(0, -1) : `${name}Item`;
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * Every placeholder the template may use, in file contents and in file and folder names. Longer ones
 * first, so that no placeholder is replaced inside another.
 */
export function placeholders(name: string, port: number, now: Date): Array<[string, string]> {
  const item = singularOf(name);
  return [
    ['__TIMESTAMP__', now.toISOString().replace(/\D/g, '').slice(0, 14)],
    ['__PORT__', String(port)],
    ['__NAME__', name.toUpperCase()],
    ['__Name__', capitalise(name)],
    ['__name__', name],
    ['__Item__', capitalise(item)],
    ['__item__', item],
  ];
}

function substitute(text: string, values: Array<[string, string]>): string {
  return values.reduce((out, [placeholder, value]) => out.replaceAll(placeholder, value), text);
}

export interface GenerateOptions {
  root: string;
  name: string;
  port?: number;
  templateDir?: string;
  now?: Date;
}

export interface Generated {
  dir: string;
  port: number;
  /** Paths written, relative to the repository root. */
  files: string[];
}

/**
 * Writes apps/<name> from the template. Every check runs before the first write; a failure while writing
 * removes the half-written folder, so a refused or failed generation leaves nothing behind.
 */
export function generateService(options: GenerateOptions): Generated {
  const { root, name } = options;
  const problem = nameProblem(name, root);
  if (problem !== undefined) throw new NewServiceError(problem);
  const port = choosePort(name, root, options.port);
  const values = placeholders(name, port, options.now ?? new Date());
  const templateDir = options.templateDir ?? TEMPLATE_DIR;
  const dir = path.join(root, 'apps', name);

  const files: string[] = [];
  const copy = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const target = path.join(to, substitute(entry.name, values));
      if (entry.isDirectory()) copy(path.join(from, entry.name), target);
      else {
        writeFileSync(target, substitute(readFileSync(path.join(from, entry.name), 'utf8'), values));
        files.push(path.relative(root, target));
      }
    }
  };
  mkdirSync(path.join(root, 'apps'), { recursive: true });
  try {
    copy(templateDir, dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, port, files: files.sort() };
}

/**
 * Formats the written files with the repository's prettier settings: a placeholder and its value differ
 * in length, so a line of the template may need wrapping (or unwrapping) once filled in.
 */
export async function formatFiles(root: string, files: string[]): Promise<void> {
  const prettier = await import('prettier');
  for (const file of files) {
    const absolute = path.join(root, file);
    const info = await prettier.getFileInfo(absolute, { ignorePath: path.join(root, '.prettierignore') });
    if (info.ignored || info.inferredParser === null) continue;
    const config = (await prettier.resolveConfig(absolute)) ?? {};
    const source = readFileSync(absolute, 'utf8');
    writeFileSync(absolute, await prettier.format(source, { ...config, filepath: absolute }));
  }
}
