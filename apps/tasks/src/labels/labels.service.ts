import { ConflictError, NotFoundError } from '@mini/http';
import { requireRole, type PageRequest } from '../projects/projects.service.ts';
import type { Store } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import { cursorText, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { LabelRecord } from './labels.repository.ts';

const labelNotFound = () => new NotFoundError('The label was not found.', { code: 'label-not-found' });

export function createLabelsService(store: Store) {
  const { repos } = store;

  return {
    async list(actor: Actor, projectId: string, options: PageRequest) {
      await requireRole(repos, actor, projectId, 'read');
      const spec: CursorSpec<string> = { list: { labels: projectId }, value: cursorText, id: cursorUuid };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.labels.list(projectId, {
        after: after && { name: after.v, id: after.id },
        take: options.limit + 1,
      });
      return keysetPage(rows, options.limit, spec, (last) => ({ v: last.name, id: last.id }));
    },

    async get(actor: Actor, projectId: string, labelId: string): Promise<LabelRecord> {
      await requireRole(repos, actor, projectId, 'read');
      const label = await repos.labels.find(projectId, labelId);
      if (!label) throw labelNotFound();
      return label;
    },

    async create(
      actor: Actor,
      projectId: string,
      input: { name: string; color?: string | undefined },
    ): Promise<LabelRecord> {
      return store.transaction(async (tx) => {
        // The project lock of every write into a project: a deletion or archiving of the project waits for
        // this insert, or this insert sees the project gone (404), never a foreign-key error.
        await tx.projects.lockForTaskWrite([projectId], actor.id);
        await requireRole(tx, actor, projectId, 'write');
        const label = await tx.labels.create({
          projectId,
          name: input.name,
          color: input.color ?? '#808080',
        });
        if (!label) {
          throw new ConflictError(`The project already has a label named "${input.name}".`, {
            code: 'label-name-taken',
            errors: { name: ['Already used in this project'] },
          });
        }
        return label;
      });
    },

    async delete(actor: Actor, projectId: string, labelId: string): Promise<void> {
      await store.transaction(async (tx) => {
        await requireRole(tx, actor, projectId, 'write');
        const label = await tx.labels.find(projectId, labelId);
        if (!label) throw labelNotFound();
        // Deleting a label changes every task that carried it: each gets a new version and a history entry.
        // Lock those tasks first (id order), then the label (so nobody can tag another task with it), and
        // only then read the label sets: an edit of one of them that was in flight has committed by now,
        // so the history starts from what the task really carries. An edit that was adding the label holds
        // it, so the label lock waits for that edit: read again after it, until nothing new carries the label.
        const locked = new Set<string>();
        let labelLocked = false;
        for (;;) {
          const labelled = await tx.tasks.findLabelled(labelId);
          const fresh = labelled.filter((id) => !locked.has(id));
          if (fresh.length === 0 && labelLocked) break;
          await tx.tasks.lock(fresh, actor.id);
          for (const id of fresh) locked.add(id);
          await tx.labels.lockForDelete(labelId);
          labelLocked = true;
        }
        const labelled = (await tx.tasks.labelSets([...locked])).filter((task) =>
          task.labelIds.includes(labelId),
        );
        const ids = labelled.map((task) => task.id);
        await tx.labels.delete(labelId);
        await tx.tasks.touch(ids, actor.id);
        await tx.tasks.recordActivity(
          labelled.map((task) => ({
            taskId: task.id,
            actorId: actor.id,
            action: 'updated',
            field: 'labelIds',
            oldValue: task.labelIds,
            newValue: task.labelIds.filter((id) => id !== labelId),
          })),
        );
      });
    },
  };
}

export type LabelsService = ReturnType<typeof createLabelsService>;
