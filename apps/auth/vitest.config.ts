import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'auth',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Every answer of every test is checked against the app's OpenAPI document (see @mini/testing).
    setupFiles: ['@mini/testing/contract-setup'],
    env: { NODE_ENV: 'test' },
    // The whole workspace's test files share a couple of CPUs in CI; a request that takes 50 ms alone can
    // take seconds then. Generous limits keep the tests about behaviour, not about the machine's load.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
