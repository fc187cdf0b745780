import { ConflictError, NotFoundError, ValidationError, type Forwarded } from '@mini/http';
import type { ProjectRole } from '../generated/prisma/enums.ts';
import { requireRole, type PageRequest } from '../projects/projects.service.ts';
import type { Repositories, Store } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import { cursorText, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { UserDirectory } from '../users/user-directory.ts';
import type { MemberRecord } from './members.repository.ts';

const memberNotFound = () =>
  new NotFoundError('This user is not a member of the project.', { code: 'member-not-found' });

export const unknownUsername = () =>
  new ValidationError('No user has this username.', {
    code: 'unknown-username',
    errors: { username: ['No user has this username'] },
  });

export const lastOwner = () =>
  new ConflictError('A project needs at least one owner: make someone else owner first.', {
    code: 'last-owner',
  });

/** Inside a transaction holding the project lock, so two concurrent changes cannot both pass. */
async function assertKeepsAnOwner(
  repos: Repositories,
  projectId: string,
  target: MemberRecord,
): Promise<void> {
  if (target.role === 'owner' && (await repos.members.countOwners(projectId)) <= 1) throw lastOwner();
}

export function createMembersService(store: Store, directory: UserDirectory) {
  const { repos } = store;

  return {
    async list(actor: Actor, projectId: string, options: PageRequest) {
      await requireRole(repos, actor, projectId, 'read');
      const spec: CursorSpec<string> = { list: { members: projectId }, value: cursorText, id: cursorUuid };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.members.list(projectId, {
        after: after && { username: after.v, userId: after.id },
        take: options.limit + 1,
      });
      return keysetPage(rows, options.limit, spec, (last) => ({ v: last.username, id: last.userId }));
    },

    async get(actor: Actor, projectId: string, userId: string): Promise<MemberRecord> {
      await requireRole(repos, actor, projectId, 'read');
      const member = await repos.members.find(projectId, userId);
      if (!member) throw memberNotFound();
      return member;
    },

    async add(
      actor: Actor,
      projectId: string,
      input: { username: string; role: ProjectRole },
      forwarded: Forwarded,
    ): Promise<MemberRecord> {
      // Checked before asking the auth service, so that nobody else can probe usernames through here.
      await requireRole(repos, actor, projectId, 'manage');
      const user = await directory.findByUsername(input.username, forwarded);
      if (!user) {
        throw unknownUsername();
      }
      // Outside the transaction so far: no lock is held while the auth service answers.
      return store.transaction(async (tx) => {
        // Like every write into a project: a deletion or archiving of the project waits for this insert, or
        // this insert sees the project gone (404), never a foreign-key error. The caller's role is checked
        // again under the lock: it may have changed while the auth service answered.
        await tx.projects.lockForTaskWrite([projectId], actor.id);
        await requireRole(tx, actor, projectId, 'manage');
        const member = await tx.members.add({
          projectId,
          userId: user.id,
          username: user.username,
          displayName: user.displayName,
          role: input.role,
          addedBy: actor.id,
        });
        if (!member) {
          throw new ConflictError(`${user.username} is already a member of this project.`, {
            code: 'already-a-member',
          });
        }
        return member;
      });
    },

    async changeRole(
      actor: Actor,
      projectId: string,
      userId: string,
      role: ProjectRole,
    ): Promise<MemberRecord> {
      return store.transaction(async (tx) => {
        // Lock first, then check the caller's own role: it may have just been changed by another owner.
        await tx.projects.lock(projectId);
        await requireRole(tx, actor, projectId, 'manage');
        const target = await tx.members.find(projectId, userId);
        if (!target) throw memberNotFound();
        if (target.role === role) return target;
        if (role !== 'owner') await assertKeepsAnOwner(tx, projectId, target);
        return tx.members.updateRole(projectId, userId, role);
      });
    },

    /** Owners remove anyone; every member may remove themselves (leave). */
    async remove(actor: Actor, projectId: string, userId: string): Promise<void> {
      await store.transaction(async (tx) => {
        await tx.projects.lock(projectId);
        await requireRole(tx, actor, projectId, userId === actor.id ? 'read' : 'manage');
        const target = await tx.members.find(projectId, userId);
        if (!target) throw memberNotFound();
        await assertKeepsAnOwner(tx, projectId, target);
        await tx.members.remove(projectId, userId);
        // An assignee must be a member: their tasks go back to unassigned, and the history says who did it.
        // Task writes hold the project row (shared) while they run, so none is in flight here; the task rows
        // are still locked in id order, the order every bulk lock uses.
        const ids = await tx.tasks.lockAssigned(projectId, userId);
        await tx.tasks.unassign(ids, actor.id);
        await tx.tasks.recordActivity(
          ids.map((taskId) => ({
            taskId,
            actorId: actor.id,
            action: 'updated',
            field: 'assigneeId',
            oldValue: userId,
            newValue: null,
          })),
        );
      });
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
