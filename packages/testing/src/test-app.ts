import { afterAll, beforeAll, inject } from 'vitest';
import { createLogger, type Logger } from '@mini/logger';
import './provided.ts';

/** Lines nobody reads: the default logger of a test app (captureLogs() gives one that keeps them). */
export const silentLogger: Logger = createLogger({ name: 'test', level: 'silent', pretty: false });

export interface TestAppDefinition<C, D extends { close(): Promise<void> }, T extends BuiltApp, O> {
  /** The service's config schema (anything with parse). */
  configSchema: { parse(input: unknown): C };
  /** Variables every test app of the service sets, besides NODE_ENV=test and the run's DATABASE_URL. */
  env?: Record<string, string>;
  /** Opens the service's database, as its server.ts does. */
  database: (config: C, logger: Logger) => D;
  /** Builds the app (and whatever tests read next to it: a mail outbox, a relay to stop ...). */
  createApp: (ctx: { config: C; db: D; logger: Logger }, options: O) => T;
}

/** What a service's createApp hands back: the app, anything else tests need, and what to stop at close. */
export interface BuiltApp {
  app: unknown;
  close?: () => Promise<void>;
}

export type TestAppOf<C, D, T extends BuiltApp> = Omit<T, 'close'> & {
  config: C;
  db: D;
  logger: Logger;
  /** Stops what createApp started, then closes the database pool. */
  close(): Promise<void>;
};

export interface TestAppFactory<C, D, T extends BuiltApp, O> {
  /** The service's config as its tests run it: NODE_ENV=test, the run's database, `env`, then `overrides`. */
  config(overrides?: Record<string, string>): C;
  /** A complete app on the run's test database (migrated by serviceGlobalSetup); close() when done. */
  build(overrides?: Record<string, string>, options?: O & { logger?: Logger }): TestAppOf<C, D, T>;
}

/**
 * One service's test apps, described once (its config schema, test variables, database and app), so each
 * test file builds one with `build(overrides)` or, for the whole file, `useTestApp(() => build())`.
 */
export function defineTestApp<C, D extends { close(): Promise<void> }, T extends BuiltApp, O = object>(
  definition: TestAppDefinition<C, D, T, O>,
): TestAppFactory<C, D, T, O> {
  const config = (overrides: Record<string, string> = {}): C =>
    definition.configSchema.parse({
      NODE_ENV: 'test',
      DATABASE_URL: inject('databaseUrl'),
      ...definition.env,
      ...overrides,
    });
  return {
    config,
    build(overrides = {}, options = {} as O & { logger?: Logger }) {
      const built = config(overrides);
      const logger = options.logger ?? silentLogger;
      const db = definition.database(built, logger);
      const made = definition.createApp({ config: built, db, logger }, options);
      return {
        ...made,
        config: built,
        db,
        logger,
        close: async () => {
          try {
            await made.close?.();
          } finally {
            await db.close();
          }
        },
      };
    },
  };
}

/**
 * The app of one test file: built before its first test, closed after its last. The returned object is
 * filled in by beforeAll, so tests read `ctx.app` as usual.
 */
export function useTestApp<T extends { close(): Promise<void> }>(factory: () => T | Promise<T>): T {
  const ctx = {} as T;
  beforeAll(async () => {
    Object.assign(ctx, await factory());
  });
  afterAll(async () => {
    await ctx.close?.();
  });
  return ctx;
}
