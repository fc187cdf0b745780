import type { Server } from 'node:http';
import type { Express } from 'express';
import type { z } from 'zod';
import {
  ConfigError,
  loadConfig,
  mergeEnv,
  NODE_ENV_UNSET_WARNING,
  redactConfig,
  type Env,
} from '@mini/config';
import { startServer, type ServerLimits } from '@mini/http';
import { createLogger, type Logger } from '@mini/logger';
import type { BackgroundJob } from './jobs.ts';

/** What runService reads from every service's config (the base config has it all). */
export interface ServiceConfig extends Partial<ServerLimits> {
  PORT: number;
  HOST: string;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  SHUTDOWN_TIMEOUT_MS: number;
}

/** A database handle, a Redis client ...: whatever has to be let go of at shutdown. */
export interface Closable {
  close(): Promise<void> | void;
}

/**
 * The revocation list (or what publishes it): it may need starting once the database is there, and
 * stopping (`close` or `stop`) at shutdown.
 */
export interface RevocationResource {
  start?(): void;
  close?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export interface ServiceContext<C, D, R> {
  config: C;
  logger: Logger;
  db: D;
  /** What `revocation` returned: undefined when the service runs without one (no REDIS_URL). */
  revocation: R | undefined;
}

export interface ServiceDefinition<S extends z.ZodType<ServiceConfig>, D extends Closable, R> {
  /** The logger's name, and the service's in log lines. */
  name: string;
  /** The service's config schema: validated from the environment and the .env files of `configDir`. */
  configSchema: S;
  /** The app's folder (`import.meta.dirname + '/..'`), where its .env files are. */
  configDir: string;
  /** Opens the database (a pool: nothing connects until the first query). */
  database: (ctx: { config: z.output<S>; logger: Logger }) => D;
  /** Connects the revocation list; undefined runs without one (say why in the log). */
  revocation?: (ctx: { config: z.output<S>; logger: Logger; db: D }) => R | undefined;
  /** The background jobs, started once the app is built, before it listens; stopped after it has closed. */
  jobs?: (ctx: ServiceContext<z.output<S>, D, R>) => BackgroundJob[];
  /** Builds the Express app; it never listens. */
  createApp: (ctx: ServiceContext<z.output<S>, D, R>) => Express;
  /**
   * What needs the HTTP server itself, such as a WebSocket server sharing its port (socket.io): called once
   * the server listens. What it returns is closed first at shutdown, before the jobs and the database.
   */
  onListen?: (server: Server, ctx: ServiceContext<z.output<S>, D, R>) => Closable | undefined;
  /**
   * Whether this is the process's one service (default true): SIGTERM/SIGINT shut it down and exit, and a
   * failed start prints why and exits 1. Tests pass false, and get close() and a rejected promise instead.
   */
  ownsProcess?: boolean;
  /** The environment (default: process.env). */
  env?: Env;
  /** The logger (default: pino at LOG_LEVEL, named `name`). */
  logger?: (config: z.output<S>) => Logger;
}

export interface RunningService<C> {
  config: C;
  logger: Logger;
  /** The port bound (useful with PORT=0). */
  port: number;
  /** Graceful shutdown: the server (in-flight requests finish), then jobs, revocation list, database. */
  close(): Promise<void>;
}

interface Stop {
  name: string;
  stop: () => Promise<void> | void;
}

async function stopAll(stops: Stop[], logger: Logger | undefined): Promise<void> {
  // Reverse order: what started last may use what started before it (a job queries the database).
  for (const { name, stop } of stops.toReversed()) {
    try {
      await stop();
    } catch (err) {
      logger?.error({ err }, `${name}: stopping failed`);
    }
  }
}

/**
 * Starts a service: config -> logger -> database -> revocation list -> app -> background jobs -> listen,
 * and shuts it down gracefully in the reverse order (SIGTERM/SIGINT, or close()). A start that fails
 * half-way stops what it had started before reporting.
 */
export async function runService<S extends z.ZodType<ServiceConfig>, D extends Closable, R = undefined>(
  definition: ServiceDefinition<S, D, R>,
): Promise<RunningService<z.output<S>>> {
  const ownsProcess = definition.ownsProcess ?? true;
  const stops: Stop[] = [];
  let logger: Logger | undefined;
  try {
    const env = { cwd: definition.configDir, ...(definition.env ? { env: definition.env } : {}) };
    // First: it may be why a variable below is reported missing (production requires more).
    if (mergeEnv(env).NODE_ENV === undefined) process.stderr.write(`${NODE_ENV_UNSET_WARNING}\n`);
    const config = loadConfig(definition.configSchema, env) as z.output<S>;
    logger = definition.logger?.(config) ?? createLogger({ name: definition.name, level: config.LOG_LEVEL });
    const log = logger;

    const db = definition.database({ config, logger: log });
    stops.push({ name: 'database', stop: () => db.close() });

    const revocation = definition.revocation?.({ config, logger: log, db });
    if (revocation !== undefined) {
      const resource = revocation as RevocationResource;
      resource.start?.();
      const stop = resource.close ?? resource.stop;
      if (stop) stops.push({ name: 'revocation list', stop: () => stop.call(resource) });
    }

    const ctx: ServiceContext<z.output<S>, D, R> = { config, logger: log, db, revocation };
    // Built before the jobs start: an app that cannot be built (unreadable keys) stops the start before
    // any job has touched the database.
    const app = definition.createApp(ctx);
    for (const job of definition.jobs?.(ctx) ?? []) {
      job.start(log);
      stops.push({ name: job.name, stop: () => job.stop() });
    }

    log.info({ config: redactConfig(definition.configSchema, config) }, 'starting');
    const running = await startServer(app, {
      port: config.PORT,
      host: config.HOST,
      logger: log,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      // HTTP_* timeouts and limits, SHUTDOWN_IDLE_GRACE_MS.
      limits: config,
      handleSignals: ownsProcess,
      onShutdown: () => stopAll(stops, log),
    });
    const attached = definition.onListen?.(running.server, ctx);
    // Read by onShutdown only when it runs, so it still closes first (the list is stopped in reverse).
    if (attached) stops.push({ name: 'listeners', stop: () => attached.close() });
    return { config, logger: log, port: running.port, close: running.close };
  } catch (err) {
    await stopAll(stops, logger);
    if (!ownsProcess) throw err;
    if (err instanceof ConfigError) {
      // One line per variable to fix, as for any bad configuration; a stack trace would bury them.
      process.stderr.write(`${err.message}\n`);
    } else if (logger) {
      logger.fatal({ err }, 'start-up failed');
    } else {
      process.stderr.write(
        `start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    }
    process.exit(1);
  }
}
