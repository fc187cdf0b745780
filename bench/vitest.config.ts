import { defineProject } from 'vitest/config';

// Only the chaos tool's pure logic (classification, recovery, verdicts, the table): the benchmarks and
// `pnpm chaos` themselves start servers and load them, which is not a test.
export default defineProject({ test: { name: 'bench', include: ['chaos/**/*.test.ts'] } });
