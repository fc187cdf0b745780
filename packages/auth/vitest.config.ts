import { defineProject } from 'vitest/config';

// Not 'auth': apps/auth already uses that project name.
export default defineProject({ test: { name: '@mini/auth', include: ['test/**/*.test.ts'] } });
