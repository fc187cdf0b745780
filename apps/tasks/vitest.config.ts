import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'tasks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    env: { NODE_ENV: 'test' },
  },
});
