// EXPLAIN ANALYZE of the task list queries on a big project (not part of `pnpm bench`):
//   DATABASE_URL=postgres://.../<scratch db> node bench/lib/explain-tasks.ts [--seed]
// --seed migrates the (empty) database and seeds four projects of 100 000 tasks each. Each query is the
// SQL the service sends (buildTaskListSql), so the plans and timings are those of the real endpoint.
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../packages/db/src/index.ts';
import { buildTaskListSql, type TaskListQuery } from '../../apps/tasks/src/tasks/tasks.list-sql.ts';
import { seedTasks } from './seed-tasks.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
if (process.argv.includes('--seed')) {
  await migrate({
    url,
    migrationsDir: path.resolve(import.meta.dirname, '../../apps/tasks/prisma/migrations'),
  });
  await seedTasks(url, { projects: 4, tasksPerProject: 100_000 });
}

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  const { rows: projects } = await client.query<{ project_id: string; n: number }>(
    'SELECT project_id, count(*)::int AS n FROM tasks GROUP BY project_id ORDER BY n DESC LIMIT 1',
  );
  const projectId = projects[0]!.project_id;
  const { rows: assignees } = await client.query<{ assignee_id: string }>(
    'SELECT assignee_id FROM tasks WHERE project_id = $1 AND assignee_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1',
    [projectId],
  );
  const assignee = assignees[0]!.assignee_id;
  // A due row 90 % down the due order: where a deep page starts.
  const { rows: deep } = await client.query<{ due_at: Date; id: string }>(
    `SELECT due_at, id FROM tasks WHERE project_id = $1 AND due_at IS NOT NULL
     ORDER BY due_at, id OFFSET (SELECT count(*) * 9 / 10 FROM tasks WHERE project_id = $1 AND due_at IS NOT NULL) LIMIT 1`,
    [projectId],
  );
  const { rows: nullDue } = await client.query<{ id: string }>(
    'SELECT id FROM tasks WHERE project_id = $1 AND due_at IS NULL ORDER BY id LIMIT 1 OFFSET 100',
    [projectId],
  );

  const base = { scope: { projectId }, filters: {}, after: null, take: 21 } as const;
  const cases: Array<[string, TaskListQuery]> = [
    ['position asc', { ...base, sort: 'position', order: 'asc' }],
    ['position desc', { ...base, sort: 'position', order: 'desc' }],
    ['priority desc', { ...base, sort: 'priority', order: 'desc' }],
    ['created desc', { ...base, sort: 'created', order: 'desc' }],
    ['due asc', { ...base, sort: 'due', order: 'asc' }],
    ['due desc', { ...base, sort: 'due', order: 'desc' }],
    [
      'due asc, deep page',
      {
        ...base,
        sort: 'due',
        order: 'asc',
        after: { value: deep[0]!.due_at.toISOString(), id: deep[0]!.id },
      },
    ],
    [
      'due desc, deep page',
      {
        ...base,
        sort: 'due',
        order: 'desc',
        after: { value: deep[0]!.due_at.toISOString(), id: deep[0]!.id },
      },
    ],
    [
      'due asc, in the no-due tail',
      { ...base, sort: 'due', order: 'asc', after: { value: null, id: nullDue[0]!.id } },
    ],
    [
      'assignee, due asc',
      { ...base, scope: { memberId: assignee }, filters: { assignee }, sort: 'due', order: 'asc' },
    ],
    [
      'assignee, due desc',
      { ...base, scope: { memberId: assignee }, filters: { assignee }, sort: 'due', order: 'desc' },
    ],
  ];
  for (const [name, query] of cases) {
    const sql = buildTaskListSql(query);
    // Warm once, then measure.
    await client.query(sql.text, sql.values);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`,
      sql.values,
    );
    const plan = rows.map((r) => r['QUERY PLAN']);
    const scans = plan
      .map((line) =>
        /(Index Scan(?: Backward)?|Index Only Scan|Seq Scan|Bitmap Heap Scan|Sort)\b(?: using (\S+))?/.exec(
          line,
        ),
      )
      .filter((m) => m !== null)
      .map((m) => (m[2] ? `${m[1]} ${m[2]}` : m[1]))
      .filter((s) => !s!.includes('task_labels'));
    const time = plan.find((line) => line.startsWith('Execution Time'));
    console.log(`${name.padEnd(28)} ${time?.padEnd(26)} ${[...new Set(scans)].join(', ')}`);
    if (process.argv.includes('--plans')) console.log(plan.join('\n'));
  }
} finally {
  await client.end();
}
