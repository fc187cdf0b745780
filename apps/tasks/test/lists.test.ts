import { beforeAll, describe, expect, it } from 'vitest';
import { asUser, type TestUser, testUser } from '@mini/testing';
import { addMember, createLabel, createProject, createTask, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

const titles = (res: { body: { items: Array<{ title: string }> } }) => res.body.items.map((t) => t.title);
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString();

/** Every page of a list, following nextCursor. */
async function allPages(user: TestUser, url: string) {
  const items: Array<{ id: string; title: string }> = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await asUser(ctx.app, user).get(cursor ? `${url}${sep}cursor=${cursor}` : url);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

describe('filters', () => {
  let owner: TestUser;
  let grace: TestUser;
  let projectId: string;
  let bugId: string;

  beforeAll(async () => {
    owner = testUser('owner');
    grace = testUser('grace');
    const project = await createProject(ctx.app, owner);
    projectId = project.id;
    await addMember(ctx.app, ctx.auth, owner, projectId, grace, 'editor');
    bugId = (await createLabel(ctx.app, owner, projectId, 'bug')).id;
    await createTask(ctx.app, owner, projectId, {
      title: 'overdue urgent',
      priority: 'urgent',
      dueAt: day(-2),
      assigneeId: grace.id,
      labelIds: [bugId],
    });
    await createTask(ctx.app, owner, projectId, {
      title: 'overdue but done',
      status: 'done',
      dueAt: day(-1),
    });
    await createTask(ctx.app, owner, projectId, {
      title: 'next week',
      priority: 'low',
      dueAt: day(7),
      assigneeId: owner.id,
    });
    await createTask(ctx.app, owner, projectId, {
      title: 'no due date 50% off',
      status: 'in_progress',
      description: 'Launch email',
    });
  });

  const list = (query: string) => asUser(ctx.app, owner).get(`/projects/${projectId}/tasks?${query}`);

  it('status accepts several values', async () => {
    expect(titles(await list('status=done,in_progress')).sort()).toEqual([
      'no due date 50% off',
      'overdue but done',
    ]);
  });

  it('priority filters', async () => {
    expect(titles(await list('priority=urgent,high'))).toEqual(['overdue urgent']);
  });

  it('assignee takes a user id, none, or me', async () => {
    expect(titles(await list(`assignee=${grace.id}`))).toEqual(['overdue urgent']);
    expect(titles(await list('assignee=me'))).toEqual(['next week']);
    expect(titles(await list('assignee=none&sort=created&order=asc'))).toEqual([
      'overdue but done',
      'no due date 50% off',
    ]);
  });

  it('label filters', async () => {
    expect(titles(await list(`label=${bugId}`))).toEqual(['overdue urgent']);
  });

  it('overdue means past due and not done', async () => {
    expect(titles(await list('overdue=true'))).toEqual(['overdue urgent']);
  });

  it('dueBefore and dueAfter bound the due date', async () => {
    expect(
      titles(await list(`dueAfter=${encodeURIComponent(day(-1.5))}&dueBefore=${encodeURIComponent(day(1))}`)),
    ).toEqual(['overdue but done']);
  });

  it('overdue=false keeps everything that is not past due and open: done, future and undated tasks', async () => {
    expect(titles(await list('overdue=false'))).toEqual([
      'overdue but done',
      'next week',
      'no due date 50% off',
    ]);
  });

  it('dueBefore alone keeps tasks due strictly before it, never undated ones', async () => {
    expect(titles(await list(`dueBefore=${encodeURIComponent(day(0))}`))).toEqual([
      'overdue urgent',
      'overdue but done',
    ]);
  });

  it('dueAfter alone keeps tasks due at or after it, never undated ones', async () => {
    expect(titles(await list(`dueAfter=${encodeURIComponent(day(0))}`))).toEqual(['next week']);
  });

  it('GET /tasks applies label, q and status across projects', async () => {
    const mine = (query: string) => asUser(ctx.app, owner).get(`/tasks?${query}`);
    expect(titles(await mine(`label=${bugId}`))).toEqual(['overdue urgent']);
    expect(titles(await mine('q=launch'))).toEqual(['no due date 50% off']);
    expect(titles(await mine('status=done'))).toEqual(['overdue but done']);
    expect(titles(await mine('status=todo,in_progress&sort=due&order=desc'))).toEqual([
      'next week',
      'overdue urgent',
      'no due date 50% off',
    ]);
  });

  it('q searches title and description, case-insensitively, with % taken literally', async () => {
    expect(titles(await list('q=LAUNCH'))).toEqual(['no due date 50% off']);
    expect(titles(await list('q=50%25'))).toEqual(['no due date 50% off']);
    expect(titles(await list('q=0%25'))).toEqual(['no due date 50% off']);
    expect(titles(await list('q=%25'))).toEqual(['no due date 50% off']);
  });

  it('sort=due puts the soonest first and tasks without a due date last, in both directions', async () => {
    expect(titles(await list('sort=due'))).toEqual([
      'overdue urgent',
      'overdue but done',
      'next week',
      'no due date 50% off',
    ]);
    expect(titles(await list('sort=due&order=desc'))).toEqual([
      'next week',
      'overdue but done',
      'overdue urgent',
      'no due date 50% off',
    ]);
  });

  it('sort=priority puts urgent first', async () => {
    expect(titles(await list('sort=priority'))[0]).toBe('overdue urgent');
    expect(titles(await list('sort=priority')).at(-1)).toBe('next week');
  });

  it('an unknown filter or sort value is 422 naming it', async () => {
    const res = await list('status=blocked&sort=name&colour=red');
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['colour', 'sort', 'status.0']);
  });

  it('GET /tasks?assignee=me lists my tasks across projects', async () => {
    const other = await createProject(ctx.app, owner);
    await addMember(ctx.app, ctx.auth, owner, other.id, grace, 'viewer');
    await createTask(ctx.app, owner, other.id, {
      title: 'elsewhere for grace',
      assigneeId: grace.id,
      dueAt: day(30),
    });
    const res = await asUser(ctx.app, grace).get('/tasks?assignee=me');
    expect(titles(res)).toEqual(['overdue urgent', 'elsewhere for grace']);
  });
});

describe('keyset pagination', () => {
  it.each(['position', 'due', 'priority', 'created'])(
    'sort=%s: walking every page returns each task exactly once',
    async (sort) => {
      const owner = testUser('owner');
      const project = await createProject(ctx.app, owner);
      const priorities = ['low', 'medium', 'high', 'urgent'];
      for (let i = 0; i < 11; i++) {
        await createTask(ctx.app, owner, project.id, {
          title: `t${i}`,
          priority: priorities[i % 4],
          // Ties and nulls on purpose: the id tie-break must still give a total order.
          ...(i % 3 === 0 ? {} : { dueAt: day(i % 2) }),
          position: i % 2 === 0 ? 1000 : 2000,
        });
      }
      const seen = await allPages(owner, `/projects/${project.id}/tasks?sort=${sort}&limit=3`);
      expect(seen).toHaveLength(11);
      expect(new Set(seen.map((t) => t.id)).size).toBe(11);
    },
  );

  it('when tasks are inserted between pages, no page skips or repeats a task', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    for (let i = 0; i < 6; i++) await createTask(ctx.app, owner, project.id, { title: `old ${i}` });
    const url = `/projects/${project.id}/tasks?sort=created&order=asc&limit=2`;

    const seen: string[] = [];
    let res = await asUser(ctx.app, owner).get(url);
    seen.push(...titles(res));
    let n = 0;
    while (res.body.nextCursor) {
      // A newer task sorts after every existing one, and one placed at the very start of the manual order
      // sorts before: neither may disturb the pages still to come.
      await createTask(ctx.app, owner, project.id, { title: `new ${n++}`, position: -n });
      res = await asUser(ctx.app, owner).get(`${url}&cursor=${res.body.nextCursor}`);
      seen.push(...titles(res));
    }
    const old = seen.filter((t) => t.startsWith('old'));
    expect(old).toEqual(['old 0', 'old 1', 'old 2', 'old 3', 'old 4', 'old 5']);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('a cursor made for one sort is refused for another (422)', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    await createTask(ctx.app, owner, project.id);
    await createTask(ctx.app, owner, project.id);
    const first = await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks?sort=due&limit=1`);
    const res = await asUser(ctx.app, owner).get(
      `/projects/${project.id}/tasks?sort=created&cursor=${first.body.nextCursor}`,
    );
    expect(res.status).toBe(422);
    expect(res.body.errors.cursor).toBeDefined();
  });

  it('limit defaults to 20 and is capped at 100', async () => {
    const owner = testUser('owner');
    const project = await createProject(ctx.app, owner);
    for (let i = 0; i < 21; i++) await createTask(ctx.app, owner, project.id);
    const res = await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks`);
    expect(res.body.items).toHaveLength(20);
    expect(res.body.nextCursor).toEqual(expect.any(String));
    expect((await asUser(ctx.app, owner).get(`/projects/${project.id}/tasks?limit=101`)).status).toBe(422);
  });
});

describe('keyset pagination under concurrent inserts', () => {
  interface Item {
    id: string;
    title: string;
    position: number;
    dueAt: string | null;
  }

  const cases = [
    {
      sort: 'position',
      order: 'asc',
      key: (t: Item) => t.position,
      // Before the last row seen, and after every row there is.
      before: (last: Item) => ({ position: last.position - 0.5 }),
      after: (n: number) => ({ position: 1_000_000 + n }),
    },
    {
      sort: 'due',
      order: 'asc',
      key: (t: Item) => (t.dueAt === null ? Infinity : Date.parse(t.dueAt)),
      before: (last: Item) => ({
        dueAt: new Date(Date.parse(last.dueAt ?? day(100)) - 60_000).toISOString(),
      }),
      // Later than every dated task (undated ones still come after it).
      after: (n: number) => ({ dueAt: day(1000 + n) }),
    },
    {
      sort: 'due',
      order: 'desc',
      key: (t: Item) => (t.dueAt === null ? -Infinity : Date.parse(t.dueAt)),
      before: (last: Item) => ({
        dueAt: last.dueAt === null ? day(500) : new Date(Date.parse(last.dueAt) + 60_000).toISOString(),
      }),
      // Earlier than every dated task: last of the dated ones in descending order, before the undated.
      after: (n: number) => ({ dueAt: day(-1000 - n) }),
    },
  ] as const;

  for (const c of cases) {
    it(`sort=${c.sort} ${c.order}: while tasks are inserted before and after the cursor in parallel with each page, the original tasks come once each and in order`, async () => {
      const owner = testUser('owner');
      const project = await createProject(ctx.app, owner);
      for (let i = 0; i < 8; i++) {
        await createTask(ctx.app, owner, project.id, {
          title: `old ${i}`,
          position: (i + 1) * 1000,
          dueAt: i < 7 ? day(i + 1) : null,
        });
      }
      const url = `/projects/${project.id}/tasks?sort=${c.sort}&order=${c.order}&limit=2`;
      let res = await asUser(ctx.app, owner).get(url);
      const seen: Item[] = [...res.body.items];
      const inserted = { before: [] as string[], after: [] as string[][] };
      let round = 0;
      while (res.body.nextCursor) {
        const last = seen[seen.length - 1] as Item;
        const cursor: string = res.body.nextCursor;
        const [early, late, page] = await Promise.all([
          createTask(ctx.app, owner, project.id, { title: `early ${round}`, ...c.before(last) }),
          createTask(ctx.app, owner, project.id, { title: `late ${round}`, ...c.after(round) }),
          asUser(ctx.app, owner).get(`${url}&cursor=${cursor}`),
        ]);
        inserted.before.push(early.title);
        inserted.after.push([late.title]);
        res = page;
        seen.push(...res.body.items);
        round++;
      }
      const titlesSeen = seen.map((t) => t.title);
      expect(titlesSeen.filter((t) => t.startsWith('old'))).toEqual(
        c.order === 'asc' || c.sort !== 'due'
          ? ['old 0', 'old 1', 'old 2', 'old 3', 'old 4', 'old 5', 'old 6', 'old 7']
          : ['old 6', 'old 5', 'old 4', 'old 3', 'old 2', 'old 1', 'old 0', 'old 7'],
      );
      expect(new Set(titlesSeen).size).toBe(titlesSeen.length);
      // Nothing inserted behind the cursor shows up; everything inserted ahead of it before the last round does.
      for (const title of inserted.before) expect(titlesSeen).not.toContain(title);
      for (const [title] of inserted.after.slice(0, -1)) expect(titlesSeen).toContain(title);
      // The whole walk is in the sort's order.
      const keys = seen.map(c.key);
      const sorted = [...keys].sort((a, b) => (c.order === 'asc' ? a - b : b - a));
      expect(keys).toEqual(sorted);
    });
  }
});
