import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'dev-db',
    include: ['test/**/*.test.ts'],
    // One Postgres for the whole run: DATABASE_ADMIN_URL, or the checkout's embedded instance.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
