import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'tasks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Every answer of every test is checked against the app's OpenAPI document (see @mini/testing).
    setupFiles: ['@mini/testing/contract-setup'],
    env: { NODE_ENV: 'test' },
    // As auth's: a 100-task bulk change took over vitest's default 5 s on a loaded 2-core CI machine.
    testTimeout: 20_000,
  },
});
