// The services of this repository, as their own package.json files declare them: the folder names under
// apps/, each one's port and the other services it needs to be useful. `pnpm dev`, `pnpm start` (run.ts)
// and the new-service generator read the same declarations, so a new app needs no edit anywhere else.
//
//   "mini": { "port": 3002, "needs": { "auth": "tokens and usernames" } }
//
// `needs` maps each needed service to what for (the orchestrator says it when starting one); a plain list,
// `"needs": ["auth"]`, is accepted too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Ports promised to the services the project plans but has not written yet (see the README's table), so
 * that a service generated today does not take the port one of them will need. A planned service that is
 * generated gets its own port from here.
 */
export const PLANNED_PORTS: Readonly<Record<string, number>> = { blog: 3003, inventory: 3004, chat: 3005 };

export interface ServiceNeed {
  service: string;
  /** What the service needs it for ("tokens and usernames"); empty when the declaration does not say. */
  why: string;
}

export interface Service {
  /** The folder under apps/, which is also the package's name, database and role. */
  name: string;
  dir: string;
  /** The port it listens on by default (its PORT), unique across the repository. */
  port: number;
  needs: ServiceNeed[];
  /** Whether it has a src/server.ts yet: only those can be run. */
  runnable: boolean;
}

export class ServiceDeclarationError extends Error {}

/** Every app under <root>/apps with a package.json, ordered by port, with its declaration checked. */
export function listServices(root: string = REPO_ROOT): Service[] {
  const appsDir = path.join(root, 'apps');
  const entries = existsSync(appsDir) ? readdirSync(appsDir, { withFileTypes: true }) : [];
  const services = entries
    .filter((entry) => entry.isDirectory() && existsSync(path.join(appsDir, entry.name, 'package.json')))
    .map((entry) => readService(path.join(appsDir, entry.name)))
    .sort((a, b) => a.port - b.port || a.name.localeCompare(b.name));
  checkAcrossServices(services);
  return services;
}

function readService(dir: string): Service {
  const name = path.basename(dir);
  const where = `apps/${name}/package.json`;
  let pkg: { mini?: unknown };
  try {
    pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { mini?: unknown };
  } catch (err) {
    throw new ServiceDeclarationError(`${where}: ${(err as Error).message}`);
  }
  const mini = pkg.mini;
  if (typeof mini !== 'object' || mini === null) {
    throw new ServiceDeclarationError(
      `${where} declares no "mini": { "port": ... } (the port it listens on)`,
    );
  }
  const { port, needs } = mini as { port?: unknown; needs?: unknown };
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ServiceDeclarationError(
      `${where}: "mini.port" must be a port number, got ${JSON.stringify(port)}`,
    );
  }
  return {
    name,
    dir,
    port,
    needs: parseNeeds(needs, where),
    runnable: existsSync(path.join(dir, 'src/server.ts')),
  };
}

function parseNeeds(needs: unknown, where: string): ServiceNeed[] {
  if (needs === undefined) return [];
  if (Array.isArray(needs) && needs.every((item) => typeof item === 'string')) {
    return needs.map((service) => ({ service, why: '' }));
  }
  if (typeof needs === 'object' && needs !== null && !Array.isArray(needs)) {
    const entries = Object.entries(needs);
    if (entries.every(([, why]) => typeof why === 'string')) {
      return entries.map(([service, why]) => ({ service, why: String(why) }));
    }
  }
  throw new ServiceDeclarationError(
    `${where}: "mini.needs" must name services, as { "auth": "what for" } or ["auth"]`,
  );
}

function checkAcrossServices(services: Service[]): void {
  const byPort = new Map<number, string>();
  for (const service of services) {
    const other = byPort.get(service.port);
    if (other) {
      throw new ServiceDeclarationError(
        `apps/${other} and apps/${service.name} both declare port ${service.port}`,
      );
    }
    byPort.set(service.port, service.name);
  }
  const names = new Set(services.map((service) => service.name));
  for (const service of services) {
    for (const need of service.needs) {
      if (need.service === service.name || !names.has(need.service)) {
        throw new ServiceDeclarationError(
          `apps/${service.name}/package.json needs "${need.service}", which is ${need.service === service.name ? 'itself' : 'no app under apps/'}`,
        );
      }
    }
  }
  // A cycle would make "start what it needs first" meaningless; name it rather than loop.
  const byName = new Map(services.map((service) => [service.name, service]));
  const visit = (name: string, trail: string[]) => {
    if (trail.includes(name)) {
      throw new ServiceDeclarationError(
        `services need each other in a circle: ${[...trail, name].join(' -> ')}`,
      );
    }
    for (const need of byName.get(name)?.needs ?? []) visit(need.service, [...trail, name]);
  };
  for (const service of services) visit(service.name, []);
}

export interface AddedDependency {
  /** The service started because another needs it. */
  service: string;
  /** The requested (or itself added) service that needs it, and what for. */
  neededBy: string;
  why: string;
}

/**
 * The requested services plus everything they need, transitively, in start order: a service comes after
 * what it needs. `added` lists each service that was not requested, with the first one that needs it.
 */
export function withDependencies(
  services: Service[],
  requested: string[],
): { order: string[]; added: AddedDependency[] } {
  const byName = new Map(services.map((service) => [service.name, service]));
  const order: string[] = [];
  const added: AddedDependency[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    for (const need of byName.get(name)?.needs ?? []) {
      if (!requested.includes(need.service) && !added.some((entry) => entry.service === need.service)) {
        added.push({ service: need.service, neededBy: name, why: need.why });
      }
      visit(need.service);
    }
    order.push(name);
  };
  // In port order, so that the same set of services always starts in the same order.
  for (const service of services) if (requested.includes(service.name)) visit(service.name);
  return { order, added };
}

/** AUTH for auth, URL_SHORTENER for url-shortener: the prefix of a service's variables. */
export function envPrefix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * How services find each other: <NAME>_PORT and <NAME>_URL for every service, from the declared ports.
 * A <NAME>_PORT in `env` moves that service; a <NAME>_URL in `env` (a service running elsewhere) wins.
 */
export function discoveryEnv(services: Service[], env: NodeJS.ProcessEnv): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const service of services) {
    const prefix = envPrefix(service.name);
    const port = portOf(service, env);
    vars[`${prefix}_PORT`] = String(port);
    vars[`${prefix}_URL`] = env[`${prefix}_URL`] ?? `http://localhost:${port}`;
  }
  return vars;
}

/** The declared port, or <NAME>_PORT when set. */
export function portOf(service: Service, env: NodeJS.ProcessEnv): number {
  const configured = env[`${envPrefix(service.name)}_PORT`];
  if (configured === undefined || configured === '') return service.port;
  const port = Number(configured);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ServiceDeclarationError(
      `${envPrefix(service.name)}_PORT must be a port number, got ${JSON.stringify(configured)}`,
    );
  }
  return port;
}
