// The services of this checkout, found on disk rather than listed by name, so that a service added under
// apps/ (by hand or by `pnpm new-service`) is picked up by `pnpm dev`, `pnpm start` and the generator with
// no other edit. A service declares its port in its package.json: `"mini": { "port": 3002 }`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ServiceInfo {
  name: string;
  /** The port the service declares, or undefined when its package.json declares none. */
  port: number | undefined;
}

/**
 * Ports promised to the services the project plans but has not written yet (see the README's table), so
 * that a service generated today does not take the port one of them will need. A planned service that is
 * generated gets its own port from here.
 */
export const PLANNED_PORTS: Readonly<Record<string, number>> = { blog: 3003, inventory: 3004, chat: 3005 };

/** Every folder under apps/ with a package.json, with its declared port; sorted by port, then name. */
export function discoverServices(root: string): ServiceInfo[] {
  const appsDir = path.join(root, 'apps');
  if (!existsSync(appsDir)) return [];
  return readdirSync(appsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(appsDir, entry.name, 'package.json')))
    .map((entry) => ({
      name: entry.name,
      port: declaredPort(path.join(appsDir, entry.name, 'package.json')),
    }))
    .sort((a, b) => (a.port ?? 99_999) - (b.port ?? 99_999) || a.name.localeCompare(b.name));
}

function declaredPort(packageJson: string): number | undefined {
  const port: unknown = (JSON.parse(readFileSync(packageJson, 'utf8')) as { mini?: { port?: unknown } }).mini
    ?.port;
  return typeof port === 'number' && Number.isInteger(port) ? port : undefined;
}
