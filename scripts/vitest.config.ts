import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'scripts',
    // Not the template's tests: they run in the services generated from it.
    include: ['test/**/*.test.ts'],
  },
});
