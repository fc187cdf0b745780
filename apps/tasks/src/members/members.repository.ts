import { isUniqueViolation } from '@mini/db';
import type { DbClient } from '../db.ts';
import type { ProjectRole } from '../generated/prisma/enums.ts';

export interface MemberRecord {
  userId: string;
  username: string;
  displayName: string | null;
  role: ProjectRole;
  addedBy: string;
  addedAt: Date;
}

const memberSelect = {
  userId: true,
  username: true,
  displayName: true,
  role: true,
  addedBy: true,
  addedAt: true,
} as const;

export function membersRepository(db: DbClient) {
  return {
    async list(
      projectId: string,
      options: { after: { username: string; userId: string } | null; take: number },
    ): Promise<MemberRecord[]> {
      const after = options.after;
      return db.projectMember.findMany({
        where: {
          projectId,
          ...(after && {
            OR: [
              { username: { gt: after.username } },
              { username: after.username, userId: { gt: after.userId } },
            ],
          }),
        },
        select: memberSelect,
        orderBy: [{ username: 'asc' }, { userId: 'asc' }],
        take: options.take,
      });
    },

    async find(projectId: string, userId: string): Promise<MemberRecord | null> {
      return db.projectMember.findUnique({
        where: { projectId_userId: { projectId, userId } },
        select: memberSelect,
      });
    },

    /** Null when the user already is a member (the primary key says so, race-free). */
    async add(input: {
      projectId: string;
      userId: string;
      username: string;
      displayName: string | null;
      role: ProjectRole;
      addedBy: string;
    }): Promise<MemberRecord | null> {
      try {
        return await db.projectMember.create({ data: input, select: memberSelect });
      } catch (err) {
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },

    async updateRole(projectId: string, userId: string, role: ProjectRole): Promise<MemberRecord> {
      return db.projectMember.update({
        where: { projectId_userId: { projectId, userId } },
        data: { role },
        select: memberSelect,
      });
    },

    async remove(projectId: string, userId: string): Promise<void> {
      await db.projectMember.delete({ where: { projectId_userId: { projectId, userId } } });
    },

    async countOwners(projectId: string): Promise<number> {
      return db.projectMember.count({ where: { projectId, role: 'owner' } });
    },

    /**
     * Whether every user is a member, locking their membership rows (FOR SHARE) until the transaction
     * ends: a removal of one of them waits for this write, and then sees (and unassigns) what it wrote.
     */
    async lockMembers(projectId: string, userIds: string[]): Promise<boolean> {
      const unique = [...new Set(userIds)];
      if (unique.length === 0) return true;
      const rows = await db.$queryRaw<Array<{ user_id: string }>>`
        SELECT user_id FROM project_members
        WHERE project_id = ${projectId}::uuid AND user_id = ANY(${unique}::uuid[])
        ORDER BY user_id FOR SHARE`;
      return rows.length === unique.length;
    },
  };
}
