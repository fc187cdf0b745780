// What `pnpm dev` / `pnpm start` run for their arguments: the requested services and what they need.
import net from 'node:net';
import { discoveryEnv, envPrefix, portOf, withDependencies, type Service } from './services.ts';

export type Mode = 'dev' | 'start';

/** A mistake in the command line: reported as its message alone. */
export class UsageError extends Error {}

export interface Args {
  mode: Mode;
  filters: string[];
  /** Start exactly the filtered services, not what they need (it runs elsewhere). */
  only: boolean;
}

export function parseArgs(argv: string[]): Args {
  const [mode, ...rest] = argv;
  if (mode !== 'dev' && mode !== 'start')
    throw new UsageError('usage: node scripts/run.ts dev|start [--filter NAME]... [--only]');
  const filters: string[] = [];
  let only = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--') continue;
    if (arg === '--only') only = true;
    else if (arg.startsWith('--filter=')) filters.push(arg.slice('--filter='.length));
    else if (arg === '--filter' && rest[i + 1] !== undefined) filters.push(rest[++i] ?? '');
    else throw new UsageError(`unknown argument ${arg}; usage: pnpm ${mode} [--filter NAME]... [--only]`);
  }
  if (only && filters.length === 0) throw new UsageError('--only needs at least one --filter NAME');
  return { mode, filters, only };
}

export interface Plan {
  /** The services to run, each after what it needs. */
  start: string[];
  /** One line each: why a service that was not asked for starts, or where an unstarted one is expected. */
  notes: string[];
  /** <NAME>_PORT and <NAME>_URL of every service: each started service listens on its <NAME>_PORT. */
  discovery: Record<string, string>;
}

/**
 * What to run for the filters: the requested services, plus (without --only) what they need. A needed
 * service whose port already answers (`pnpm dev --filter auth` in another terminal) is used, not started.
 */
export async function planRun(
  services: Service[],
  { filters, only }: Pick<Args, 'filters' | 'only'>,
  env: NodeJS.ProcessEnv,
  isListening: (port: number) => Promise<boolean> = portAnswers,
): Promise<Plan> {
  const runnable = services.filter((service) => service.runnable).map((service) => service.name);
  const requested = filters.length === 0 ? runnable : [...new Set(filters)];
  if (requested.length === 0) throw new UsageError('no app under apps/ has a src/server.ts yet');
  const unknown = requested.filter((name) => !runnable.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(`unknown app ${unknown.join(', ')}; apps: ${runnable.join(', ') || '(none yet)'}`);
  }
  const byName = new Map(services.map((service) => [service.name, service]));
  const notes: string[] = [];
  // PORT moves the one service asked for (as it does for `pnpm --filter tasks dev`); <NAME>_PORT moves any.
  if (env.PORT && requested.length === 1) {
    env = { ...env, [`${envPrefix(requested[0] ?? '')}_PORT`]: env.PORT };
  } else if (env.PORT) {
    notes.push(
      'PORT is ignored when several services are asked for: set <NAME>_PORT (TASKS_PORT=4002) instead',
    );
  }
  const discovery = discoveryEnv(services, env);

  if (only) {
    const start = services.filter((s) => requested.includes(s.name)).map((s) => s.name);
    for (const name of start) {
      for (const need of byName.get(name)?.needs ?? []) {
        if (start.includes(need.service)) continue;
        const variable = `${envPrefix(need.service)}_URL`;
        notes.push(
          `not starting ${need.service} (--only): ${name} expects it at ${discovery[variable]} (${variable})`,
        );
      }
    }
    return { start, notes, discovery };
  }

  const { order, added } = withDependencies(services, requested);
  const start: string[] = [];
  for (const name of order) {
    const dependency = added.find((entry) => entry.service === name);
    if (!dependency) {
      start.push(name);
      continue;
    }
    const service = byName.get(name);
    const reason = `${dependency.neededBy} needs it${dependency.why ? ` for ${dependency.why}` : ''}`;
    if (!service?.runnable) throw new UsageError(`${reason}, but apps/${name} has no src/server.ts yet`);
    const port = portOf(service, env);
    if (await isListening(port)) {
      notes.push(`${name} already answers on port ${port} (another terminal?): using it; ${reason}`);
    } else {
      start.push(name);
      notes.push(`starting ${name}: ${reason}`);
    }
  }
  return { start, notes, discovery };
}

/** Whether something accepts connections on the port on this machine. */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
