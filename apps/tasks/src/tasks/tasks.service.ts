import { z } from 'zod';
import {
  checkIfMatch,
  ForbiddenError,
  NotFoundError,
  staleVersion as kitStaleVersion,
  ValidationError,
  type IfMatch,
} from '@mini/http';
import { idempotent, type IdempotentRequest } from '@mini/idempotency';
import { cursorSequence, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import { assertNotArchived, assertRole, taskNotFound } from '../projects/access.ts';
import { requireProject, requireRole, type PageRequest } from '../projects/projects.service.ts';
import type { Repositories, Store } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import { diffTask, type TaskPatch } from './tasks.diff.ts';
import type { TaskScope } from './tasks.list-sql.ts';
import { taskCursorPosition, taskListSpec, type TaskListRequest } from './tasks.list-spec.ts';
import type { TaskChanges, TaskForMember, TaskRecord } from './tasks.repository.ts';
import type { bulkBody, createTaskBody } from './tasks.schemas.ts';

// The service takes what the routes validated: the types are the zod schemas' outputs, never restated.
export type NewTask = z.output<typeof createTaskBody>;
export type BulkChange = z.output<typeof bulkBody>['set'];
export type { TaskListRequest, TaskPatch };

/** A parsed `If-Match` (see @mini/http's parseIfMatch). */
export type Precondition = IfMatch;

interface CreateResult {
  task: TaskRecord;
  /** True when this answer is the stored result of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/** A task stored as JSON (the idempotency record) back into a TaskRecord with real dates. */
function reviveTask(body: unknown): TaskRecord {
  const task = body as Record<string, unknown>;
  const date = (value: unknown) => (typeof value === 'string' ? new Date(value) : null);
  return {
    ...(task as unknown as TaskRecord),
    dueAt: date(task.dueAt),
    completedAt: date(task.completedAt),
    createdAt: date(task.createdAt) as Date,
    updatedAt: date(task.updatedAt) as Date,
  };
}

export const staleVersion = (currentVersion: number) =>
  kitStaleVersion(currentVersion, { what: 'task', code: 'stale-version' });

function checkPrecondition(task: TaskRecord, precondition: Precondition | undefined): void {
  checkIfMatch(precondition, task.version, staleVersion);
}

/** An assignee must be a member and labels must belong to the task's project: 422 otherwise. */
async function assertReferences(
  repos: Repositories,
  projectId: string,
  refs: { assigneeId?: string | null | undefined; labelIds?: string[] | undefined },
): Promise<void> {
  const errors: Record<string, string[]> = {};
  if (refs.assigneeId && !(await repos.members.lockMembers(projectId, [refs.assigneeId]))) {
    errors.assigneeId = ['Must be a member of the project'];
  }
  if (refs.labelIds?.length && !(await repos.labels.lockInProject(projectId, refs.labelIds))) {
    errors.labelIds = ['Every label must belong to the project'];
  }
  if (Object.keys(errors).length > 0) {
    throw new ValidationError('The task refers to something outside its project.', { errors });
  }
}

/**
 * Loads a task for a write, holding its row lock until the transaction ends. Lock order, everywhere: the
 * projects (shared), then task rows in id order. Membership changes and archiving take the project row
 * exclusively first, so they wait for this write (and it for them) instead of acting on a stale read.
 */
async function lockTaskForWrite(
  tx: Repositories,
  actor: Actor,
  taskId: string,
  alsoProjectId?: string,
): Promise<TaskForMember> {
  const projectIds = await tx.tasks.projectsOf([taskId]);
  await tx.projects.lockForTaskWrite([...projectIds, ...(alsoProjectId ? [alsoProjectId] : [])], actor.id);
  await tx.tasks.lock([taskId], actor.id);
  const found = await tx.tasks.findForMember(taskId, actor.id);
  if (!found) throw taskNotFound();
  // Moved to another project between the two reads: hold that project too.
  if (!projectIds.includes(found.task.projectId)) {
    await tx.projects.lockForTaskWrite([found.task.projectId], actor.id);
  }
  assertRole(found.role, 'write');
  assertNotArchived(found.projectArchived);
  return found;
}

export function createTasksService(store: Store, options: { idempotencyTtlMs: number }) {
  const { repos } = store;

  async function listTasks(actor: Actor, scope: TaskScope, request: TaskListRequest) {
    const { query, limit, cursor, spec } = taskListSpec(actor.id, scope, request);
    const after = startAfter(cursor, spec);
    const rows = await repos.tasks.list({
      ...query,
      after: after && { value: after.v, id: after.id },
      take: limit + 1,
    });
    return keysetPage(rows, limit, spec, (last) => taskCursorPosition(last, query.sort));
  }

  async function create(
    actor: Actor,
    projectId: string,
    input: NewTask,
    tx: Repositories,
  ): Promise<TaskRecord> {
    await tx.projects.lockForTaskWrite([projectId], actor.id);
    const project = await requireProject(tx, actor, projectId, 'write');
    assertNotArchived(project.archivedAt !== null);
    await assertReferences(tx, projectId, input);
    const status = input.status ?? 'todo';
    const task = await tx.tasks.create({
      projectId,
      title: input.title,
      description: input.description ?? null,
      status,
      priority: input.priority ?? 'medium',
      dueAt: input.dueAt ?? null,
      assigneeId: input.assigneeId ?? null,
      labelIds: input.labelIds ?? [],
      position: input.position ?? (await tx.tasks.nextPosition(projectId)),
      completedAt: status === 'done' ? new Date() : null,
      createdBy: actor.id,
    });
    await tx.tasks.recordActivity([{ taskId: task.id, actorId: actor.id, action: 'created' }]);
    return task;
  }

  return {
    /**
     * With an Idempotency-Key, the key is claimed in the same transaction that creates the task: either
     * both are committed or neither. A concurrent retry waits for the first and then replays its answer.
     */
    async create(
      actor: Actor,
      projectId: string,
      input: NewTask,
      idempotency?: IdempotentRequest,
    ): Promise<CreateResult> {
      const { value, replayed } = await idempotent(store, idempotency, {
        ttlMs: options.idempotencyTtlMs,
        perform: (tx) => create(actor, projectId, input, tx),
        // A replay is a read of the task: only for someone who may still read the project (404 otherwise,
        // as for any project the caller is not a member of). A task deleted since is still replayed: the
        // answer says what the create did, and a GET of the task then tells it is gone.
        beforeReplay: async (current) => void (await requireRole(current, actor, projectId, 'read')),
        revive: reviveTask,
      });
      return { task: value, replayed };
    },

    async get(actor: Actor, taskId: string): Promise<TaskRecord> {
      const found = await repos.tasks.findForMember(taskId, actor.id);
      if (!found) throw taskNotFound();
      return found.task;
    },

    async update(
      actor: Actor,
      taskId: string,
      patch: TaskPatch,
      precondition?: Precondition,
    ): Promise<TaskRecord> {
      return store.transaction(async (tx) => {
        const { task } = await lockTaskForWrite(tx, actor, taskId, patch.projectId);
        checkPrecondition(task, precondition);

        const moving = patch.projectId !== undefined && patch.projectId !== task.projectId;
        const effective: TaskPatch = { ...patch };
        if (moving) {
          const target = await tx.projects.findForMember(patch.projectId as string, actor.id);
          if (!target) {
            throw new NotFoundError('The target project was not found.', {
              code: 'project-not-found',
              errors: { projectId: ['Not found'] },
            });
          }
          if (target.role === 'viewer') {
            throw new ForbiddenError('You can only view the target project.', {
              code: 'insufficient-project-role',
            });
          }
          assertNotArchived(target.archivedAt !== null);
          // Labels belong to a project, so they do not travel; an assignee travels only if a member there too.
          effective.labelIds ??= [];
          if (patch.assigneeId === undefined && task.assigneeId !== null) {
            const stays = await tx.members.lockMembers(target.id, [task.assigneeId]);
            if (!stays) effective.assigneeId = null;
          }
          effective.position ??= await tx.tasks.nextPosition(target.id);
        }
        await assertReferences(tx, effective.projectId ?? task.projectId, {
          assigneeId: patch.assigneeId,
          labelIds: patch.labelIds,
        });

        const { changes, fields } = diffTask(task, effective, new Date());
        if (fields.length === 0) return task;
        const updated = await tx.tasks.update(taskId, changes, actor.id);
        await tx.tasks.recordActivity(
          fields.map((f) => ({ taskId, actorId: actor.id, action: 'updated', ...f })),
        );
        return updated;
      });
    },

    async delete(actor: Actor, taskId: string, precondition?: Precondition): Promise<void> {
      await store.transaction(async (tx) => {
        const { task } = await lockTaskForWrite(tx, actor, taskId);
        checkPrecondition(task, precondition);
        await tx.tasks.delete(taskId);
      });
    },

    /** One project's tasks (members only), or 'mine': the tasks of every active project of the caller. */
    async list(actor: Actor, where: { projectId: string } | 'mine', request: TaskListRequest) {
      if (where === 'mine') return listTasks(actor, { memberId: actor.id }, request);
      await requireRole(repos, actor, where.projectId, 'read');
      return listTasks(actor, where, request);
    },

    /**
     * All or nothing: every task is checked and changed in one transaction, or none is. The work does not
     * grow per task beyond the data itself: the tasks and the caller's roles are read in one query, the
     * references are checked once per project, and the updates and history go in a few statements.
     */
    async bulkUpdate(actor: Actor, taskIds: string[], change: BulkChange): Promise<TaskRecord[]> {
      const ids = [...new Set(taskIds)];
      return store.transaction(async (tx) => {
        await tx.projects.lockForTaskWrite(await tx.tasks.projectsOf(ids), actor.id);
        await tx.tasks.lock(ids, actor.id);
        const found = await tx.tasks.findManyForMember(ids, actor.id);
        const byId = new Map(found.map((entry) => [entry.task.id, entry]));
        const missing = ids.filter((id) => !byId.has(id));
        if (missing.length > 0) {
          throw new NotFoundError(`${missing.length} of the tasks were not found; nothing was changed.`, {
            code: 'task-not-found',
            extensions: { missingTaskIds: missing },
          });
        }
        for (const { role, projectArchived } of found) {
          assertRole(role, 'write');
          assertNotArchived(projectArchived);
        }
        // Moved into a project whose row this transaction does not hold yet (between projectsOf and lock).
        await tx.projects.lockForTaskWrite(
          found.map((entry) => entry.task.projectId),
          actor.id,
        );
        for (const projectId of new Set(found.map((entry) => entry.task.projectId))) {
          await assertReferences(tx, projectId, {
            assigneeId: change.assigneeId,
            labelIds: change.addLabelIds,
          });
        }

        const now = new Date();
        const updates: Array<{ taskId: string; changes: TaskChanges }> = [];
        const activity: Parameters<typeof tx.tasks.recordActivity>[0] = [];
        for (const id of ids) {
          const { task } = byId.get(id) as TaskForMember;
          const labelIds =
            change.addLabelIds || change.removeLabelIds
              ? [...new Set([...task.labelIds, ...(change.addLabelIds ?? [])])].filter(
                  (labelId) => !change.removeLabelIds?.includes(labelId),
                )
              : undefined;
          const { changes, fields } = diffTask(
            task,
            { status: change.status, assigneeId: change.assigneeId, labelIds },
            now,
          );
          if (fields.length === 0) continue;
          updates.push({ taskId: id, changes });
          activity.push(...fields.map((f) => ({ taskId: id, actorId: actor.id, action: 'updated', ...f })));
        }
        const updated = new Map(
          (await tx.tasks.updateMany(updates, actor.id)).map((task) => [task.id, task]),
        );
        await tx.tasks.recordActivity(activity);
        return ids.map((id) => updated.get(id) ?? (byId.get(id) as TaskForMember).task);
      });
    },

    async activity(actor: Actor, taskId: string, options: PageRequest) {
      const found = await repos.tasks.findForMember(taskId, actor.id);
      if (!found) throw taskNotFound();
      const spec: CursorSpec<null> = { list: { activity: taskId }, value: z.null(), id: cursorSequence };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.tasks.listActivity(taskId, {
        afterId: after?.id ?? null,
        take: options.limit + 1,
      });
      return keysetPage(rows, options.limit, spec, (last) => ({ v: null, id: last.id }));
    },
  };
}

export type TasksService = ReturnType<typeof createTasksService>;
