import type { DbClient, SqlRunner } from '../db.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { ProjectRole } from '../generated/prisma/enums.ts';
import { isMemberSql, memberRoleSql } from './membership.ts';

export type { ProjectRole };

export interface ProjectRecord {
  id: string;
  name: string;
  description: string | null;
  archivedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A project as one member sees it: with their own role. */
export interface ProjectForMember extends ProjectRecord {
  role: ProjectRole;
}

const projectSelect = {
  id: true,
  name: true,
  description: true,
  archivedAt: true,
  createdBy: true,
  createdAt: true,
  updatedAt: true,
} as const;

export function projectsRepository(db: DbClient, sql: SqlRunner) {
  return {
    async createWithOwner(input: {
      name: string;
      description: string | null;
      owner: { id: string; username: string; displayName: string | null };
    }): Promise<ProjectForMember> {
      const project = await db.project.create({
        data: {
          name: input.name,
          description: input.description,
          createdBy: input.owner.id,
          members: {
            create: {
              userId: input.owner.id,
              username: input.owner.username,
              displayName: input.owner.displayName,
              role: 'owner',
              addedBy: input.owner.id,
            },
          },
        },
        select: projectSelect,
      });
      return { ...project, role: 'owner' };
    },

    /** The project and the user's role in it; null when it does not exist or the user is not a member. */
    async findForMember(projectId: string, userId: string): Promise<ProjectForMember | null> {
      const member = await db.projectMember.findUnique({
        where: { projectId_userId: { projectId, userId } },
        select: { role: true, project: { select: projectSelect } },
      });
      return member ? { ...member.project, role: member.role } : null;
    },

    /** Only the user's role (one primary-key look-up): all that a read of the project's contents needs. */
    async findRole(projectId: string, userId: string): Promise<ProjectRole | null> {
      // Runs before every read of a project's contents, so it is plain SQL on the pool (see SqlRunner).
      const rows = await sql.query<{ role: ProjectRole }>(memberRoleSql(projectId, userId));
      return rows[0]?.role ?? null;
    },

    /** Projects the user belongs to, newest first, keyset on (createdAt, id). */
    async listForMember(
      userId: string,
      options: { archived: boolean; after: { createdAt: Date; id: string } | null; take: number },
    ): Promise<ProjectForMember[]> {
      const after = options.after;
      const rows = await db.projectMember.findMany({
        where: {
          userId,
          project: {
            archivedAt: options.archived ? { not: null } : null,
            ...(after && {
              OR: [
                { createdAt: { lt: after.createdAt } },
                { createdAt: after.createdAt, id: { lt: after.id } },
              ],
            }),
          },
        },
        select: { role: true, project: { select: projectSelect } },
        orderBy: [{ project: { createdAt: 'desc' } }, { project: { id: 'desc' } }],
        take: options.take,
      });
      return rows.map((row) => ({ ...row.project, role: row.role }));
    },

    async update(
      projectId: string,
      data: { name?: string; description?: string | null; archivedAt?: Date | null },
    ): Promise<ProjectRecord> {
      return db.project.update({ where: { id: projectId }, data, select: projectSelect });
    },

    async delete(projectId: string): Promise<void> {
      await db.project.delete({ where: { id: projectId } });
    },

    /**
     * Shared locks for a write into projects (a task, a label, a member), in id order, only on projects the
     * user belongs to. Writes do not block each other, but membership changes (which take lock(), FOR
     * UPDATE), archiving (an UPDATE) and deletion wait for them, and they for those: an assignee check or an
     * archived check then stays true until commit, and nothing is inserted into a project deleted meanwhile.
     */
    async lockForTaskWrite(projectIds: string[], userId: string): Promise<void> {
      await db.$queryRaw`
        SELECT p.id FROM projects p
        WHERE p.id = ANY(${[...new Set(projectIds)]}::uuid[])
          AND ${isMemberSql(Prisma.sql`p.id`, userId)}
        ORDER BY p.id FOR SHARE OF p`;
    },

    /**
     * Serializes membership changes of one project: two owners demoting each other at the same moment
     * must not both succeed and leave the project with no owner.
     */
    async lock(projectId: string): Promise<void> {
      await db.$queryRaw`SELECT id FROM projects WHERE id = ${projectId}::uuid FOR UPDATE`;
    },
  };
}
