// Builds the app in the current folder for production: one ESM bundle per entry in dist/.
// Only our own code is bundled: the app and the @mini/* packages, which export TypeScript source.
// Third-party packages stay external, but under pnpm's strict layout a package used only by a kit package
// (helmet, prom-client ...) cannot be found from apps/<svc>/dist. So each external import is resolved
// here, from the file that imports it, and written as that absolute path. The bundle therefore runs
// in this checkout (or an image built from it), next to the node_modules it was built against.
import { build, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';

const entryPoints = ['src/server.ts', 'src/cli/create-admin.ts'].filter((entry) => existsSync(entry));

const externalThirdParty: Plugin = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@mini/') || args.path.startsWith('node:') || args.pluginData === 'inner') {
        return undefined;
      }
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'inner',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      // Node built-ins come back unresolved (external) from esbuild: keep their name.
      return { path: resolved.external ? args.path : resolved.path, external: true };
    });
  },
};

await build({
  entryPoints,
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  sourcemap: true,
  logLevel: 'info',
  plugins: [externalThirdParty],
});
