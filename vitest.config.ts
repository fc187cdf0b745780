import { defineConfig } from 'vitest/config';

// One run for the whole workspace: every package and app is a project with its own vitest.config.ts, and
// so are scripts/ (the orchestrator's logic and the service generator) and bench/ (the chaos tool's pure logic).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'scripts', 'bench'],
  },
});
