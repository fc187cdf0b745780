import { defineProject } from 'vitest/config';

// The logic of the repository's own scripts (service discovery, what `pnpm dev` starts).
export default defineProject({ test: { name: 'scripts', include: ['test/**/*.test.ts'] } });
