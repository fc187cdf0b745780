import pg from 'pg';

export interface SeedSize {
  projects: number;
  tasksPerProject: number;
}

export interface Seeded {
  /** (user, project) pairs where the user is a member: what the list requests rotate through. */
  pairs: Array<{ userId: string; username: string; projectId: string }>;
  tasks: number;
}

/**
 * Realistic data generated inside Postgres (INSERT ... SELECT generate_series: no round trip per row).
 * User n owns project n and is editor or viewer in the three projects before it, so every project has
 * four members; each project has five labels and `tasksPerProject` tasks with mixed status and priority,
 * a due date on four in five, an assignee on two in three, and a label on three in five. setseed makes
 * every run seed the same data.
 */
export async function seedTasks(url: string, size: SeedSize): Promise<Seeded> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT setseed(0.42)');
    await client.query(
      `CREATE TEMP TABLE bench_users ON COMMIT DROP AS
       SELECT n, gen_random_uuid() AS id, 'bench_user_' || n AS username FROM generate_series(0, $1 - 1) AS n`,
      [size.projects],
    );
    await client.query(
      `INSERT INTO projects (id, name, description, created_by, created_at, updated_at)
       SELECT gen_random_uuid(), 'Project ' || u.n, 'Seeded for the benchmark', u.id, now() - (u.n || ' minutes')::interval, now()
       FROM bench_users u`,
    );
    await client.query(
      `CREATE TEMP TABLE bench_projects ON COMMIT DROP AS
       SELECT p.id, u.n FROM projects p JOIN bench_users u ON u.id = p.created_by`,
    );
    await client.query(
      `INSERT INTO project_members (project_id, user_id, role, username, added_by, added_at)
       SELECT p.id, u.id, CASE k WHEN 0 THEN 'owner' WHEN 2 THEN 'viewer' ELSE 'editor' END::"ProjectRole",
              u.username, owner.id, now()
       FROM bench_projects p
       CROSS JOIN generate_series(0, 3) AS k
       JOIN bench_users u ON u.n = (p.n + k) % $1
       JOIN bench_users owner ON owner.n = p.n`,
      [size.projects],
    );
    await client.query(
      `INSERT INTO labels (id, project_id, name, color, created_at)
       SELECT gen_random_uuid(), p.id, (ARRAY['bug','feature','chore','design','ops'])[k], '#808080', now()
       FROM bench_projects p CROSS JOIN generate_series(1, 5) AS k`,
    );
    await client.query(
      `INSERT INTO tasks (id, project_id, title, description, status, priority, due_at, assignee_id, position,
                          completed_at, version, created_by, updated_by, created_at, updated_at)
       SELECT gen_random_uuid(), p.id,
              'Task ' || g || ' of project ' || p.n,
              CASE WHEN g % 4 = 0 THEN 'Details for task ' || g END,
              s.status, (ARRAY['low','medium','high','urgent'])[1 + floor(random() * 4)::int]::"TaskPriority",
              CASE WHEN random() < 0.8 THEN now() + ((random() * 60 - 20) || ' days')::interval END,
              CASE WHEN random() < 0.67 THEN (SELECT id FROM bench_users WHERE n = (p.n + g % 4) % $2) END,
              g * 1024,
              CASE WHEN s.status = 'done' THEN now() END,
              1, owner.id, owner.id, now() - ((random() * 90) || ' days')::interval, now()
       FROM bench_projects p
       JOIN bench_users owner ON owner.n = p.n
       CROSS JOIN generate_series(1, $1) AS g
       CROSS JOIN LATERAL (SELECT (ARRAY['todo','todo','in_progress','done'])[1 + floor(random() * 4)::int]::"TaskStatus" AS status
                           WHERE g > 0) s`,
      [size.tasksPerProject, size.projects],
    );
    await client.query(
      `INSERT INTO task_labels (task_id, label_id)
       SELECT t.id, (SELECT l.id FROM labels l WHERE l.project_id = t.project_id ORDER BY l.name LIMIT 1 OFFSET floor(random() * 5)::int)
       FROM tasks t WHERE random() < 0.6`,
    );
    const { rows } = await client.query<{ user_id: string; username: string; project_id: string }>(
      `SELECT m.user_id, m.username, m.project_id FROM project_members m ORDER BY m.project_id, m.user_id`,
    );
    await client.query('COMMIT');
    await client.query('ANALYZE');
    const count = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM tasks');
    return {
      pairs: rows.map((r) => ({ userId: r.user_id, username: r.username, projectId: r.project_id })),
      tasks: Number(count.rows[0]?.n ?? 0),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
