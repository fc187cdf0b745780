import type { DbClient, SqlRunner } from '../db.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { ProjectRole, TaskPriority, TaskStatus } from '../generated/prisma/enums.ts';
import { isMemberSql, membershipSelect, roleFrom } from '../projects/membership.ts';
import { buildTaskListSql, type TaskListQuery } from './tasks.list-sql.ts';

export type { TaskPriority, TaskStatus };

export interface TaskRecord {
  id: string;
  projectId: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  dueAt: Date | null;
  assigneeId: string | null;
  labelIds: string[];
  position: number;
  completedAt: Date | null;
  version: number;
  createdBy: string;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A task as one member sees it: with their role in its project and whether the project is archived. */
export interface TaskForMember {
  task: TaskRecord;
  role: ProjectRole;
  projectArchived: boolean;
}

/** The fields a write may change; labelIds replaces the whole set. */
export interface TaskChanges {
  projectId?: string;
  title?: string;
  description?: string | null;
  status?: TaskStatus;
  priority?: TaskPriority;
  dueAt?: Date | null;
  assigneeId?: string | null;
  labelIds?: string[];
  position?: number;
  completedAt?: Date | null;
}

interface ActivityRecord {
  id: string;
  taskId: string;
  actorId: string;
  action: string;
  field: string | null;
  oldValue: unknown;
  newValue: unknown;
  createdAt: Date;
}

const taskSelect = {
  id: true,
  projectId: true,
  title: true,
  description: true,
  status: true,
  priority: true,
  dueAt: true,
  assigneeId: true,
  position: true,
  completedAt: true,
  version: true,
  createdBy: true,
  updatedBy: true,
  createdAt: true,
  updatedAt: true,
  labels: { select: { labelId: true }, orderBy: { labelId: 'asc' } },
} as const satisfies Prisma.TaskSelect;

type SelectedTask = Prisma.TaskGetPayload<{ select: typeof taskSelect }>;

/** The one mapping to a TaskRecord (the list SQL selects records directly, in the same field order). */
function toRecord(task: SelectedTask): TaskRecord {
  // Field by field, in the order of the list query's columns, so every answer lists the fields alike.
  return {
    id: task.id,
    projectId: task.projectId,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    dueAt: task.dueAt,
    assigneeId: task.assigneeId,
    labelIds: task.labels.map((l) => l.labelId),
    position: task.position,
    completedAt: task.completedAt,
    version: task.version,
    createdBy: task.createdBy,
    updatedBy: task.updatedBy,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
  };
}

export function tasksRepository(db: DbClient, sql: SqlRunner) {
  return {
    async findForMember(taskId: string, userId: string): Promise<TaskForMember | null> {
      const task = await db.task.findUnique({
        where: { id: taskId },
        select: {
          ...taskSelect,
          project: { select: { archivedAt: true, ...membershipSelect(userId) } },
        },
      });
      const role = task && roleFrom(task.project);
      if (!task || !role) return null;
      const { project, ...rest } = task;
      return { task: toRecord(rest), role, projectArchived: project.archivedAt !== null };
    },

    /** The project of a task (no lock, no authorization: only to know which project to lock first). */
    async projectsOf(taskIds: string[]): Promise<string[]> {
      const rows = await db.task.findMany({
        where: { id: { in: taskIds } },
        select: { projectId: true },
        distinct: ['projectId'],
      });
      return rows.map((row) => row.projectId);
    },

    /** Several tasks as one member sees them (one round of queries); tasks not visible are left out. */
    async findManyForMember(taskIds: string[], userId: string): Promise<TaskForMember[]> {
      const tasks = await db.task.findMany({
        where: { id: { in: taskIds } },
        select: {
          ...taskSelect,
          project: { select: { archivedAt: true, ...membershipSelect(userId) } },
        },
      });
      return tasks.flatMap(({ project, ...task }) => {
        const role = roleFrom(project);
        return role ? [{ task: toRecord(task), role, projectArchived: project.archivedAt !== null }] : [];
      });
    },

    /**
     * Applies changes to several tasks (the caller holds their row locks) in a few statements whatever
     * their number: one UPDATE per distinct set of field changes (a bulk change gives one or two), one
     * DELETE and one INSERT for the label sets, one SELECT of the results. Returns them in input order.
     */
    async updateMany(
      entries: Array<{ taskId: string; changes: TaskChanges }>,
      updatedBy: string,
    ): Promise<TaskRecord[]> {
      if (entries.length === 0) return [];
      const updatedAt = new Date();
      const groups = new Map<string, { data: Omit<TaskChanges, 'labelIds'>; ids: string[] }>();
      for (const { taskId, changes } of entries) {
        const { labelIds: _labelIds, ...data } = changes;
        const key = JSON.stringify(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1)));
        const group = groups.get(key) ?? { data, ids: [] };
        group.ids.push(taskId);
        groups.set(key, group);
      }
      for (const { data, ids } of groups.values()) {
        await db.task.updateMany({
          where: { id: { in: ids } },
          data: { ...data, updatedBy, updatedAt, version: { increment: 1 } },
        });
      }
      const relabelled = entries.filter((entry) => entry.changes.labelIds !== undefined);
      if (relabelled.length > 0) {
        await db.taskLabel.deleteMany({ where: { taskId: { in: relabelled.map((e) => e.taskId) } } });
        await db.taskLabel.createMany({
          data: relabelled.flatMap(({ taskId, changes }) =>
            [...new Set(changes.labelIds)].map((labelId) => ({ taskId, labelId })),
          ),
        });
      }
      const rows = await db.task.findMany({
        where: { id: { in: entries.map((e) => e.taskId) } },
        select: taskSelect,
      });
      const byId = new Map(rows.map((row) => [row.id, toRecord(row)]));
      return entries.map((e) => byId.get(e.taskId) as TaskRecord);
    },

    /**
     * Row locks for a read-modify-write: a concurrent writer waits here, then reads the committed version,
     * so its If-Match check sees the other write. Locks are taken in id order so that two bulk requests
     * over overlapping tasks cannot deadlock, and only on tasks of the user's projects: nobody can hold
     * locks on tasks they cannot see.
     */
    async lock(taskIds: string[], userId: string): Promise<void> {
      await db.$queryRaw`
        SELECT t.id FROM tasks t
        WHERE t.id = ANY(${taskIds}::uuid[])
          AND ${isMemberSql(Prisma.sql`t.project_id`, userId)}
        ORDER BY t.id FOR UPDATE OF t`;
    },

    /**
     * The next manual position at the end of a project. Two creates reading max(position) at once would
     * get the same one, so this takes the project's position lock first (a transaction-scoped advisory
     * lock: it serialises only the appends of one project, not its other writes) and holds it until the
     * insert commits. Call it inside the transaction that inserts.
     */
    async nextPosition(projectId: string): Promise<number> {
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`tasks.position:${projectId}`}, 0))`;
      const result = await db.task.aggregate({ where: { projectId }, _max: { position: true } });
      return (result._max.position ?? 0) + 1024;
    },

    // The database fills in id, version and timestamps; the creator is also the first updater.
    async create(
      input: Omit<TaskRecord, 'id' | 'version' | 'updatedBy' | 'createdAt' | 'updatedAt'>,
    ): Promise<TaskRecord> {
      const { labelIds, ...data } = input;
      const task = await db.task.create({
        data: {
          ...data,
          updatedBy: data.createdBy,
          labels: { createMany: { data: [...new Set(labelIds)].map((labelId) => ({ labelId })) } },
        },
        select: taskSelect,
      });
      return toRecord(task);
    },

    /** Applies the changes and bumps the version; the caller holds the row lock. */
    async update(taskId: string, changes: TaskChanges, updatedBy: string): Promise<TaskRecord> {
      const { labelIds, ...data } = changes;
      const task = await db.task.update({
        where: { id: taskId },
        data: {
          ...data,
          updatedBy,
          updatedAt: new Date(),
          version: { increment: 1 },
          ...(labelIds && {
            labels: {
              deleteMany: {},
              createMany: { data: [...new Set(labelIds)].map((labelId) => ({ labelId })) },
            },
          }),
        },
        select: taskSelect,
      });
      return toRecord(task);
    },

    async delete(taskId: string): Promise<void> {
      await db.task.delete({ where: { id: taskId } });
    },

    async list(query: TaskListQuery): Promise<TaskRecord[]> {
      return sql.query<TaskRecord>(buildTaskListSql(query));
    },

    /** Locks (in id order) and returns the tasks of a project assigned to a user, to unassign them. */
    async lockAssigned(projectId: string, assigneeId: string): Promise<string[]> {
      const rows = await db.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM tasks WHERE project_id = ${projectId}::uuid AND assignee_id = ${assigneeId}::uuid
        ORDER BY id FOR UPDATE`;
      return rows.map((row) => row.id);
    },

    /** Ids of the tasks carrying a label. */
    async findLabelled(labelId: string): Promise<string[]> {
      const rows = await db.taskLabel.findMany({
        where: { labelId },
        select: { taskId: true },
        orderBy: { taskId: 'asc' },
      });
      return rows.map((row) => row.taskId);
    },

    /** The label sets of some tasks (read after locking them, for the history of a label deletion). */
    async labelSets(taskIds: string[]): Promise<Array<{ id: string; labelIds: string[] }>> {
      const tasks = await db.task.findMany({
        where: { id: { in: taskIds } },
        select: { id: true, labels: { select: { labelId: true }, orderBy: { labelId: 'asc' } } },
        orderBy: { id: 'asc' },
      });
      return tasks.map((task) => ({ id: task.id, labelIds: task.labels.map((l) => l.labelId) }));
    },

    /** Marks tasks as changed by someone (new version, so an ETag held by a client goes stale). */
    async touch(taskIds: string[], updatedBy: string): Promise<void> {
      if (taskIds.length === 0) return;
      await db.task.updateMany({
        where: { id: { in: taskIds } },
        data: { updatedBy, updatedAt: new Date(), version: { increment: 1 } },
      });
    },

    async unassign(taskIds: string[], updatedBy: string): Promise<void> {
      if (taskIds.length === 0) return;
      await db.task.updateMany({
        where: { id: { in: taskIds } },
        data: { assigneeId: null, updatedBy, updatedAt: new Date(), version: { increment: 1 } },
      });
    },

    async recordActivity(
      entries: Array<{
        taskId: string;
        actorId: string;
        action: string;
        field?: string;
        oldValue?: unknown;
        newValue?: unknown;
      }>,
    ): Promise<void> {
      if (entries.length === 0) return;
      await db.taskActivity.createMany({
        data: entries.map((e) => ({
          taskId: e.taskId,
          actorId: e.actorId,
          action: e.action,
          field: e.field ?? null,
          // JSON null must be spelled Prisma.JsonNull; undefined leaves the column SQL NULL.
          oldValue:
            e.oldValue === undefined
              ? undefined
              : e.oldValue === null
                ? Prisma.JsonNull
                : (e.oldValue as Prisma.InputJsonValue),
          newValue:
            e.newValue === undefined
              ? undefined
              : e.newValue === null
                ? Prisma.JsonNull
                : (e.newValue as Prisma.InputJsonValue),
        })),
      });
    },

    /** Oldest first, keyset on the identity column. */
    async listActivity(
      taskId: string,
      options: { afterId: string | null; take: number },
    ): Promise<ActivityRecord[]> {
      const rows = await db.taskActivity.findMany({
        where: { taskId, ...(options.afterId !== null && { id: { gt: BigInt(options.afterId) } }) },
        orderBy: { id: 'asc' },
        take: options.take,
      });
      return rows.map((row) => ({ ...row, id: row.id.toString() }));
    },
  };
}
