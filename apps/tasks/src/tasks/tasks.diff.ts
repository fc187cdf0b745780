import type { z } from 'zod';
import type { TaskChanges, TaskRecord } from './tasks.repository.ts';
import type { updateTaskBody } from './tasks.schemas.ts';

// The service takes what the routes validated: the type is the zod schema's output, never restated.
export type TaskPatch = z.output<typeof updateTaskBody>;

const sameIds = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().every((id, i) => id === [...b].sort()[i]);

function activityValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * Compares a patch with the current task: the changes to write (nothing for fields that keep their
 * value) and one activity entry per changed field. `completedAt` follows status: set when a task
 * becomes done, cleared when it leaves done.
 */
export function diffTask(
  current: TaskRecord,
  patch: TaskPatch,
  now: Date,
): { changes: TaskChanges; fields: Array<{ field: string; oldValue: unknown; newValue: unknown }> } {
  const changes: TaskChanges = {};
  const fields: Array<{ field: string; oldValue: unknown; newValue: unknown }> = [];
  const scalar = [
    'projectId',
    'title',
    'description',
    'status',
    'priority',
    'assigneeId',
    'position',
  ] as const;

  for (const field of scalar) {
    const next = patch[field];
    if (next !== undefined && next !== current[field]) {
      (changes as Record<string, unknown>)[field] = next;
      fields.push({ field, oldValue: current[field], newValue: next });
    }
  }
  if (patch.dueAt !== undefined && patch.dueAt?.getTime() !== current.dueAt?.getTime()) {
    changes.dueAt = patch.dueAt;
    fields.push({
      field: 'dueAt',
      oldValue: activityValue(current.dueAt),
      newValue: activityValue(patch.dueAt),
    });
  }
  if (patch.labelIds !== undefined && !sameIds(patch.labelIds, current.labelIds)) {
    const next = [...new Set(patch.labelIds)].sort();
    changes.labelIds = next;
    fields.push({ field: 'labelIds', oldValue: current.labelIds, newValue: next });
  }
  if (changes.status !== undefined) {
    const completedAt = changes.status === 'done' ? now : null;
    if ((completedAt === null) !== (current.completedAt === null)) {
      changes.completedAt = completedAt;
      fields.push({
        field: 'completedAt',
        oldValue: activityValue(current.completedAt),
        newValue: activityValue(completedAt),
      });
    }
  }
  return { changes, fields };
}
