import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'inventory',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Every answer of every test is checked against the app's OpenAPI document (see @mini/testing).
    setupFiles: ['@mini/testing/contract-setup'],
    env: { NODE_ENV: 'test' },
  },
});
