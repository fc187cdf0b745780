import { Prisma } from '../generated/prisma/client.ts';
import type { TaskPriority, TaskStatus } from '../generated/prisma/enums.ts';
import { activeMemberProjectIdsSql } from '../projects/membership.ts';

// The SQL of a task list page, apart from the repository: the filters, the sorts and their indexes, and
// keyset pagination are read and tested here (test/sorting.test.ts runs it on every sort and direction).

export type TaskSort = 'position' | 'due' | 'priority' | 'created';
export type SortOrder = 'asc' | 'desc';

export interface TaskFilters {
  status?: TaskStatus[];
  priority?: TaskPriority[];
  /** A user id, or 'none' for unassigned tasks. */
  assignee?: string;
  /** A label id. */
  label?: string;
  dueBefore?: Date;
  dueAfter?: Date;
  overdue?: boolean;
  q?: string;
}

/** One project (membership already checked), or every non-archived project the user belongs to. */
export type TaskScope = { projectId: string } | { memberId: string };

export interface TaskListQuery {
  scope: TaskScope;
  filters: TaskFilters;
  sort: TaskSort;
  order: SortOrder;
  /** Sort key and id of the last row already returned. */
  after: { value: string | number | null; id: string } | null;
  take: number;
}

/**
 * The expression behind each sort, as it stands in an index, and the cast of a cursor value. `due` is
 * nullable and sorts tasks without a due date last in both directions: the expression indexes of
 * migration 20261130080848_due_sort_indexes turn "no due date" into 'infinity' (read forwards for asc)
 * or '-infinity' (read backwards for desc). Every other sort column is NOT NULL, so its plain
 * (project_id, column, id) index is read forwards or backwards as it is.
 */
function sortKey(sort: TaskSort, order: SortOrder): { key: Prisma.Sql; value: (v: unknown) => Prisma.Sql } {
  switch (sort) {
    case 'position':
      return { key: Prisma.sql`t.position`, value: (v) => Prisma.sql`${v}::float8` };
    case 'priority':
      return { key: Prisma.sql`t.priority`, value: (v) => Prisma.sql`${v}::"TaskPriority"` };
    case 'created':
      return { key: Prisma.sql`t.created_at`, value: (v) => Prisma.sql`${v}::timestamptz` };
    case 'due':
      return order === 'asc'
        ? {
            key: Prisma.sql`COALESCE(t.due_at, 'infinity'::timestamptz)`,
            value: (v) => Prisma.sql`COALESCE(${v}::timestamptz, 'infinity'::timestamptz)`,
          }
        : {
            key: Prisma.sql`COALESCE(t.due_at, '-infinity'::timestamptz)`,
            value: (v) => Prisma.sql`COALESCE(${v}::timestamptz, '-infinity'::timestamptz)`,
          };
  }
}

/** ILIKE treats %, _ and \ as wildcards and escape: a search for "50%" must match the text "50%". */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * The SQL of a task list page. Exported so the benchmark's floor runs exactly this query through plain pg.
 * Its rows are TaskRecords as they come (camelCase aliases, fields in the record's order): no mapping.
 * Keyset pagination: "rows after (value, id)" in the sort's direction, with id as the tie-break so the order
 * is total.
 */
export function buildTaskListSql(query: TaskListQuery): Prisma.Sql {
  const { scope, filters, sort, order, after, take } = query;
  const where: Prisma.Sql[] = [];

  if ('projectId' in scope) {
    where.push(Prisma.sql`t.project_id = ${scope.projectId}::uuid`);
  } else {
    where.push(Prisma.sql`t.project_id IN (${activeMemberProjectIdsSql(scope.memberId)})`);
  }
  if (filters.status?.length) where.push(Prisma.sql`t.status = ANY(${filters.status}::"TaskStatus"[])`);
  if (filters.priority?.length)
    where.push(Prisma.sql`t.priority = ANY(${filters.priority}::"TaskPriority"[])`);
  if (filters.assignee === 'none') where.push(Prisma.sql`t.assignee_id IS NULL`);
  else if (filters.assignee) where.push(Prisma.sql`t.assignee_id = ${filters.assignee}::uuid`);
  if (filters.label) {
    where.push(
      Prisma.sql`EXISTS (SELECT 1 FROM task_labels tl WHERE tl.task_id = t.id AND tl.label_id = ${filters.label}::uuid)`,
    );
  }
  if (filters.dueBefore) where.push(Prisma.sql`t.due_at < ${filters.dueBefore}`);
  if (filters.dueAfter) where.push(Prisma.sql`t.due_at >= ${filters.dueAfter}`);
  if (filters.overdue === true) where.push(Prisma.sql`t.due_at < now() AND t.status <> 'done'`);
  if (filters.overdue === false)
    where.push(Prisma.sql`(t.due_at IS NULL OR t.due_at >= now() OR t.status = 'done')`);
  if (filters.q) {
    const pattern = likePattern(filters.q);
    where.push(Prisma.sql`(t.title ILIKE ${pattern} OR t.description ILIKE ${pattern})`);
  }

  const { key, value } = sortKey(sort, order);
  const dir = order === 'asc' ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  if (after) {
    // A row comparison reads straight off the (scope, key, id) index, in either direction.
    const cmp = order === 'asc' ? Prisma.sql`>` : Prisma.sql`<`;
    where.push(Prisma.sql`(${key}, t.id) ${cmp} (${value(after.value)}, ${after.id}::uuid)`);
  }

  return Prisma.sql`
    SELECT t.id, t.project_id AS "projectId", t.title, t.description, t.status, t.priority,
           t.due_at AS "dueAt", t.assignee_id AS "assigneeId",
           COALESCE((SELECT array_agg(tl.label_id ORDER BY tl.label_id) FROM task_labels tl WHERE tl.task_id = t.id),
                    '{}') AS "labelIds",
           t.position, t.completed_at AS "completedAt", t.version, t.created_by AS "createdBy",
           t.updated_by AS "updatedBy", t.created_at AS "createdAt", t.updated_at AS "updatedAt"
    FROM tasks t
    WHERE ${Prisma.join(where, ' AND ')}
    ORDER BY ${key} ${dir}, t.id ${dir}
    LIMIT ${take}`;
}
