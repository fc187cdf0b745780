import { isUniqueViolation } from '@mini/db';
import type { DbClient } from '../db.ts';

export interface LabelRecord {
  id: string;
  projectId: string;
  name: string;
  color: string;
  createdAt: Date;
}

const labelSelect = { id: true, projectId: true, name: true, color: true, createdAt: true } as const;

export function labelsRepository(db: DbClient) {
  return {
    /** Labels of a project by name, keyset on (name, id). */
    async list(
      projectId: string,
      options: { after: { name: string; id: string } | null; take: number },
    ): Promise<LabelRecord[]> {
      const after = options.after;
      return db.label.findMany({
        where: {
          projectId,
          ...(after && { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] }),
        },
        select: labelSelect,
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        take: options.take,
      });
    },

    /** Null when the project already has a label with this name. */
    async create(input: { projectId: string; name: string; color: string }): Promise<LabelRecord | null> {
      try {
        return await db.label.create({ data: input, select: labelSelect });
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },

    async find(projectId: string, labelId: string): Promise<LabelRecord | null> {
      return db.label.findFirst({ where: { id: labelId, projectId }, select: labelSelect });
    },

    async delete(labelId: string): Promise<void> {
      await db.label.delete({ where: { id: labelId } });
    },

    /**
     * Whether every id names a label of this project, locking them (FOR KEY SHARE) until the transaction
     * ends: a deletion of one of them waits for this write, or this write sees it gone.
     */
    async lockInProject(projectId: string, labelIds: string[]): Promise<boolean> {
      const unique = [...new Set(labelIds)];
      if (unique.length === 0) return true;
      const rows = await db.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM labels WHERE project_id = ${projectId}::uuid AND id = ANY(${unique}::uuid[])
        ORDER BY id FOR KEY SHARE`;
      return rows.length === unique.length;
    },

    /** Locks a label for its deletion: writes that would tag a task with it wait, or see it gone. */
    async lockForDelete(labelId: string): Promise<void> {
      await db.$queryRaw`SELECT id FROM labels WHERE id = ${labelId}::uuid FOR UPDATE`;
    },
  };
}
