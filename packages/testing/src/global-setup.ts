import type { TestProject } from 'vitest/node';
import { setupServiceTestDatabase, type ServiceTestDatabaseOptions } from './database.ts';
import './provided.ts';

/**
 * An app's vitest globalSetup, in one line:
 *   export default serviceGlobalSetup({ service: 'auth', migrationsDir: new URL('../prisma/migrations', import.meta.url) });
 * Tests then read the database URL with inject('databaseUrl').
 */
export function serviceGlobalSetup(
  options: ServiceTestDatabaseOptions,
): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const { databaseUrl, teardown } = await setupServiceTestDatabase(options);
    project.provide('databaseUrl', databaseUrl);
    return teardown;
  };
}
