import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'idempotency',
    include: ['test/**/*.test.ts'],
    // A database migrated with this package's own migration: the table as a service gets it.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
