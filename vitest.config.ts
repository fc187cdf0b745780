import { defineConfig } from 'vitest/config';

// One run for the whole workspace: every package and app is a project with its own vitest.config.ts, and
// so is scripts/ (the orchestrator's logic and the service generator).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'scripts'],
  },
});
