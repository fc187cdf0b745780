import { Prisma } from '../generated/prisma/client.ts';
import type { ProjectRole } from '../generated/prisma/enums.ts';

/**
 * The one answer to "is this user a member of the project, and with which role": a row of
 * project_members. Every query that asks it takes its form from here (plain SQL for the hot paths and
 * the locks, a Prisma select where a task is read with its project), so there is one rule to read and to
 * change. Authorization on top of the role (which role may read, write, manage) is access.ts.
 */

/** The user's role in one project (no row: not a member). Exported for the benchmark's floor. */
export function memberRoleSql(projectId: string, userId: string): Prisma.Sql {
  return Prisma.sql`SELECT role::text AS role FROM project_members WHERE project_id = ${projectId}::uuid AND user_id = ${userId}::uuid`;
}

/** A condition: the user is a member of the project whose id is `projectId` (a column of the outer query). */
export function isMemberSql(projectId: Prisma.Sql, userId: string): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = ${projectId} AND m.user_id = ${userId}::uuid)`;
}

/** The ids of the projects the user is a member of and that are not archived ("my tasks"). */
export function activeMemberProjectIdsSql(userId: string): Prisma.Sql {
  return Prisma.sql`SELECT m.project_id FROM project_members m JOIN projects p ON p.id = m.project_id
      WHERE m.user_id = ${userId}::uuid AND p.archived_at IS NULL`;
}

/** The Prisma select of the user's membership on a project (as a relation of what is read). */
export function membershipSelect(userId: string) {
  return { members: { where: { userId }, select: { role: true } } } as const satisfies Prisma.ProjectSelect;
}

/** The role a `membershipSelect` read found; null when the user is not a member. */
export function roleFrom(project: { members: Array<{ role: ProjectRole }> }): ProjectRole | null {
  return project.members[0]?.role ?? null;
}
