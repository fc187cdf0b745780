// The floor for the tasks list: the same two queries the endpoint runs (membership, then the page) through
// plain pg in a bare node:http handler. No framework, no token check, no validation, no Prisma.
import { createServer } from 'node:http';
import pg from 'pg';
import { poolSql } from '../../../packages/db/src/store.ts';
import { memberRoleSql } from '../../../apps/tasks/src/projects/membership.ts';
import {
  buildTaskListSql,
  type TaskFilters,
  type TaskListQuery,
} from '../../../apps/tasks/src/tasks/tasks.list-sql.ts';
import type { TaskRecord } from '../../../apps/tasks/src/tasks/tasks.repository.ts';
import { encodeCursor } from '../../../packages/validation/src/cursor.ts';
import { taskCursorPosition, taskCursorSpec } from '../../../apps/tasks/src/tasks/tasks.list-spec.ts';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_MAX ?? 10),
});
pool.on('error', () => {});

// The endpoint's own SQL and SQL runner (prepared statements included); only the framework is missing.
const sql = poolSql(pool);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  const projectId = /^\/projects\/([0-9a-f-]{36})\/tasks$/.exec(url.pathname)?.[1];
  const userId = req.headers['x-user-id'];
  if (!projectId || typeof userId !== 'string') return void res.writeHead(404).end();
  const limit = Number(url.searchParams.get('limit') ?? 20);
  const status = url.searchParams.get('status')?.split(',') as TaskFilters['status'];
  const sort = (url.searchParams.get('sort') ?? 'due') as TaskListQuery['sort'];
  const order = (url.searchParams.get('order') ??
    (sort === 'due' ? 'asc' : 'desc')) as TaskListQuery['order'];
  (async () => {
    const member = await sql.query<{ role: string }>(memberRoleSql(projectId, userId));
    if (member.length === 0) return void res.writeHead(404).end();
    const list = { scope: { projectId }, filters: status ? { status: [...status].sort() } : {}, sort, order };
    const rows = await sql.query<TaskRecord>(buildTaskListSql({ ...list, after: null, take: limit + 1 }));
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > limit && last ? encodeCursor(taskCursorSpec(list), taskCursorPosition(last, sort)) : null;
    const body = JSON.stringify({ items, nextCursor });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  })().catch(() => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
