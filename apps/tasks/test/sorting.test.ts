import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { asUser, type TestUser, testUser } from '@mini/testing';
import { buildTaskListSql, type SortOrder, type TaskSort } from '../src/tasks/tasks.list-sql.ts';
import { createProject, createTask, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

const SORTS: Array<[TaskSort, SortOrder]> = [
  ['position', 'asc'],
  ['position', 'desc'],
  ['due', 'asc'],
  ['due', 'desc'],
  ['priority', 'asc'],
  ['priority', 'desc'],
  ['created', 'asc'],
  ['created', 'desc'],
];

/** The plan of a list page, with sequential and bitmap scans ruled out so only index order can avoid a sort. */
async function planOf(sql: { text: string; values: unknown[] }): Promise<string> {
  const client = await ctx.db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    await client.query('SET LOCAL enable_bitmapscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql.text}`, sql.values);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

describe('list plans', () => {
  for (const [sort, order] of SORTS) {
    it(`when a project's tasks are sorted by ${sort} ${order}, the page is read off an index in order (no sort step), first and later pages`, async () => {
      const projectId = randomUUID();
      for (const after of [null, { value: sort === 'due' ? null : valueFor(sort), id: randomUUID() }]) {
        const plan = await planOf(
          buildTaskListSql({ scope: { projectId }, filters: {}, sort, order, after, take: 21 }),
        );
        expect(plan).toMatch(/Index Scan/);
        expect(plan).not.toMatch(/\bSort\b/);
      }
    });
  }

  it('when "my tasks" are sorted by due date either way, the page is read off the assignee index in order', async () => {
    const userId = randomUUID();
    for (const order of ['asc', 'desc'] as const) {
      const plan = await planOf(
        buildTaskListSql({
          scope: { memberId: userId },
          filters: { assignee: userId },
          sort: 'due',
          order,
          after: { value: new Date().toISOString(), id: randomUUID() },
          take: 21,
        }),
      );
      expect(plan).toMatch(/tasks_assignee_due_(asc|desc)_idx/);
      expect(plan).not.toMatch(/\bSort\b/);
    }
  });
});

function valueFor(sort: TaskSort): string | number {
  return sort === 'position' ? 1024 : sort === 'priority' ? 'high' : new Date().toISOString();
}

interface Task {
  id: string;
  title: string;
  position: number;
  dueAt: string | null;
  priority: string;
  createdAt: string;
}

const PRIORITY = ['low', 'medium', 'high', 'urgent'];

/** The order the API promises: the sort key in the direction asked, no due date last either way, then id. */
function expectedOrder(tasks: Task[], sort: TaskSort, order: SortOrder): string[] {
  const sign = order === 'asc' ? 1 : -1;
  const key = (task: Task): number | null =>
    sort === 'position'
      ? task.position
      : sort === 'priority'
        ? PRIORITY.indexOf(task.priority)
        : sort === 'created'
          ? Date.parse(task.createdAt)
          : task.dueAt === null
            ? null
            : Date.parse(task.dueAt);
  return [...tasks]
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      if (ka === null || kb === null) {
        if (ka !== kb) return ka === null ? 1 : -1;
      } else if (ka !== kb) return sign * (ka - kb);
      return sign * (a.id < b.id ? -1 : 1);
    })
    .map((task) => task.id);
}

describe('walking every page', () => {
  let owner: TestUser;
  let projectId: string;
  let tasks: Task[];

  beforeAll(async () => {
    owner = testUser('owner');
    projectId = (await createProject(ctx.app, owner)).id;
    const day = 86_400_000;
    const base = Date.parse('2027-01-01T00:00:00Z');
    // Ties on every key (same due date, same priority, same position), and several tasks with no due date.
    for (let i = 0; i < 13; i++) {
      await createTask(ctx.app, owner, projectId, {
        priority: PRIORITY[i % 4],
        dueAt: i % 4 === 3 ? null : new Date(base + (i % 5) * day).toISOString(),
        position: (i % 3) * 1024,
      });
    }
    tasks = (await asUser(ctx.app, owner).get(`/projects/${projectId}/tasks?limit=100`)).body.items;
    expect(tasks).toHaveLength(13);
  });

  for (const [sort, order] of SORTS) {
    it(`when walking ${sort} ${order} two at a time, the pages follow the promised order with every task once`, async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url = `/projects/${projectId}/tasks?limit=2&sort=${sort}&order=${order}`;
        const res = await asUser(ctx.app, owner).get(cursor ? `${url}&cursor=${cursor}` : url);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((task: Task) => task.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expectedOrder(tasks, sort, order));
    });
  }
});
