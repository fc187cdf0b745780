import { z } from 'zod';
import { cursorDate, cursorUuid, type CursorSpec } from '@mini/validation';
import type { TaskRecord } from './tasks.repository.ts';
import type { SortOrder, TaskFilters, TaskListQuery, TaskScope, TaskSort } from './tasks.list-sql.ts';
import { taskPrioritySchema, type listProjectTasksQuery } from './tasks.schemas.ts';

/** A task list request as validated (GET /projects/:id/tasks and GET /tasks take the same query). */
export type TaskListRequest = z.output<typeof listProjectTasksQuery>;

// What a cursor of each sort may hold as its value; anything else is refused before it reaches SQL.
const SORT_VALUE: Record<TaskSort, z.ZodType<string | number | null>> = {
  position: z.number(),
  due: cursorDate.nullable(),
  priority: taskPrioritySchema,
  created: cursorDate,
};

/**
 * The cursor of a task list: bound to everything that shapes the list (scope, filters, sort, order), its
 * value checked against the sort's schema. Exported for the benchmark's floor, which pages alike.
 */
export function taskCursorSpec(list: {
  scope: TaskScope;
  filters: TaskFilters;
  sort: TaskSort;
  order: SortOrder;
}): CursorSpec<string | number | null> {
  return { list, value: SORT_VALUE[list.sort], id: cursorUuid };
}

export function taskCursorPosition(last: TaskRecord, sort: TaskSort) {
  const value = {
    position: last.position,
    due: last.dueAt?.toISOString() ?? null,
    priority: last.priority,
    created: last.createdAt.toISOString(),
  }[sort];
  return { v: value, id: last.id };
}

// Each sort's natural direction: soonest due, most urgent, newest, manual order.
const DEFAULT_ORDER: Record<TaskSort, SortOrder> = {
  due: 'asc',
  priority: 'desc',
  created: 'desc',
  position: 'asc',
};

/**
 * A validated list request as the list's query and its cursor's spec: each sort's default order, the
 * filters normalised (sets sorted, so the same filters in another order make the same list and the same
 * cursors), and `assignee=me` as the caller's id.
 */
export function taskListSpec(actorId: string, scope: TaskScope, request: TaskListRequest) {
  const { limit, cursor, sort, order: requestedOrder, assignee, ...rest } = request;
  const order = requestedOrder ?? DEFAULT_ORDER[sort];
  const filters: TaskFilters = {
    ...rest,
    ...(rest.status && { status: [...new Set(rest.status)].sort() }),
    ...(rest.priority && { priority: [...new Set(rest.priority)].sort() }),
    ...(assignee !== undefined && { assignee: assignee === 'me' ? actorId : assignee }),
  };
  const query: Omit<TaskListQuery, 'after' | 'take'> = { scope, filters, sort, order };
  return { query, limit, cursor, spec: taskCursorSpec(query) };
}
