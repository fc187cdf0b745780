import type { TestProject } from 'vitest/node';
import { checkContractCoverage, createCoverageDir } from './contract-coverage.ts';
import { setupServiceTestDatabase, type ServiceTestDatabaseOptions } from './database.ts';
import './provided.ts';

/**
 * An app's vitest globalSetup, in one line:
 *   export default serviceGlobalSetup({ service: 'auth', migrationsDir: new URL('../prisma/migrations', import.meta.url) });
 * Tests then read the database URL with inject('databaseUrl'). With `@mini/testing/contract-setup` in the
 * project's setupFiles, the teardown also fails the run when an error example of the OpenAPI document was
 * produced by no test (checked only when every test file ran, unfiltered).
 */
export function serviceGlobalSetup(
  options: ServiceTestDatabaseOptions,
): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const { databaseUrl, teardown } = await setupServiceTestDatabase(options);
    const contractDir = await createCoverageDir();
    project.provide('databaseUrl', databaseUrl);
    project.provide('contractDir', contractDir);
    return async () => {
      try {
        await teardown();
      } finally {
        await checkContractCoverage(project, contractDir);
      }
    };
  };
}
