import type { Repositories, Store } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import { cursorDate, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import { assertRole, projectNotFound, type Access } from './access.ts';
import type { ProjectForMember, ProjectRole } from './projects.repository.ts';

export interface PageRequest {
  cursor?: string | undefined;
  limit: number;
}

/** The project with the caller's role, once the caller is known to have `access` to it. */
export async function requireProject(
  repos: Repositories,
  actor: Actor,
  projectId: string,
  access: Access,
): Promise<ProjectForMember> {
  const project = await repos.projects.findForMember(projectId, actor.id);
  if (!project) throw projectNotFound();
  assertRole(project.role, access);
  return project;
}

/** Like requireProject, when only the role matters (the hot path of every list). */
export async function requireRole(
  repos: Repositories,
  actor: Actor,
  projectId: string,
  access: Access,
): Promise<ProjectRole> {
  const role = await repos.projects.findRole(projectId, actor.id);
  if (!role) throw projectNotFound();
  assertRole(role, access);
  return role;
}

export function createProjectsService(store: Store) {
  const { repos } = store;

  return {
    create(actor: Actor, input: { name: string; description?: string | null | undefined }) {
      return repos.projects.createWithOwner({
        name: input.name,
        description: input.description ?? null,
        owner: { id: actor.id, username: actor.username, displayName: null },
      });
    },

    async list(actor: Actor, options: PageRequest & { archived: boolean }) {
      const spec: CursorSpec<string> = {
        list: { projects: options.archived ? 'archived' : 'active' },
        value: cursorDate,
        id: cursorUuid,
      };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.projects.listForMember(actor.id, {
        archived: options.archived,
        after: after && { createdAt: new Date(after.v), id: after.id },
        take: options.limit + 1,
      });
      return keysetPage(rows, options.limit, spec, (last) => ({
        v: last.createdAt.toISOString(),
        id: last.id,
      }));
    },

    get(actor: Actor, projectId: string) {
      return requireProject(repos, actor, projectId, 'read');
    },

    async update(
      actor: Actor,
      projectId: string,
      input: {
        name?: string | undefined;
        description?: string | null | undefined;
        archived?: boolean | undefined;
      },
    ): Promise<ProjectForMember> {
      const project = await requireProject(repos, actor, projectId, 'manage');
      const wasArchived = project.archivedAt !== null;
      const updated = await repos.projects.update(projectId, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.description !== undefined && { description: input.description }),
        // Archiving twice keeps the first date: archivedAt says since when.
        ...(input.archived !== undefined &&
          input.archived !== wasArchived && { archivedAt: input.archived ? new Date() : null }),
      });
      return { ...updated, role: project.role };
    },

    async delete(actor: Actor, projectId: string): Promise<void> {
      await requireProject(repos, actor, projectId, 'manage');
      await repos.projects.delete(projectId);
    },
  };
}

export type ProjectsService = ReturnType<typeof createProjectsService>;
