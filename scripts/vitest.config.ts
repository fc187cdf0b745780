import { defineProject } from 'vitest/config';

// The logic of the repository's own scripts: service discovery, what `pnpm dev` starts, the service
// generator (not the template's tests: they run in the services generated from it).
export default defineProject({ test: { name: 'scripts', include: ['test/**/*.test.ts'] } });
