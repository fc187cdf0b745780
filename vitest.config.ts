import { defineConfig } from 'vitest/config';

// One run for the whole workspace: every package and app is a project with its own vitest.config.ts, and
// so is bench/ (the unit tests of the chaos tool's pure logic).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'bench'],
  },
});
