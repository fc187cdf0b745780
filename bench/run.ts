// `pnpm bench [name ...]`: runs the benchmarks in this folder, each in its own process, one after another.
// `pnpm bench` runs all of them; `pnpm bench tasks` runs every bench/tasks*.ts; `pnpm bench auth` the auth ones.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const all = readdirSync(dir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .sort();
const wanted = process.argv.slice(2).filter((arg) => arg !== '--');
const selected =
  wanted.length === 0 ? all : all.filter((file) => wanted.some((name) => file.startsWith(name)));

if (selected.length === 0) {
  console.error(
    `no benchmark matches ${wanted.join(', ')}; available: ${all.map((f) => f.replace(/\.ts$/, '')).join(', ')}`,
  );
  process.exit(1);
}

let failed = 0;
for (const file of selected) {
  console.log(`\n=== ${file.replace(/\.ts$/, '')}`);
  const result = spawnSync(process.execPath, [path.join(dir, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
