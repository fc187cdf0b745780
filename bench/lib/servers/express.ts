// Plain Express 5 answering the /healthz body: what the framework alone costs, with none of the kit's
// middleware. It is the Express the kit runs on (resolved from @mini/http, as the bench has no Express of
// its own), so only the middleware differs between this server and the kit's /healthz.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import path from 'node:path';

interface PlainExpress {
  get(path: string, handler: (req: unknown, res: { json(body: unknown): void }) => void): void;
  listen(port: number, host: string, callback: () => void): Server;
}

const requireFromKit = createRequire(
  path.resolve(import.meta.dirname, '../../../packages/http/package.json'),
);
const express = requireFromKit('express') as () => PlainExpress;

const app = express();
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
