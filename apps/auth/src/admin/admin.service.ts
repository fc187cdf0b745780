import { ForbiddenError, ValidationError } from '@mini/http';
import type { Logger } from '@mini/logger';
import { cursorDate, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { SessionEnder } from '../sessions/sessions.service.ts';
import type { Role, UserRecord, UsersRepository } from '../users/users.repository.ts';
import { userNotFound } from '../users/users.service.ts';

export interface AdminServiceDeps {
  users: UsersRepository;
  sessions: Pick<SessionEnder, 'endAllOfUser'>;
  logger: Logger;
}

/** Who made a change: an admin through the API, or an operator with the create-admin command. */
export type Actor = { adminId: string } | { cli: string };

export const cannotChangeOwnAccess = () =>
  new ForbiddenError('Admins cannot demote or disable themselves; ask another admin.', {
    code: 'cannot-change-own-access',
  });

export function createAdminService({ users, sessions, logger }: AdminServiceDeps) {
  async function mustFind(id: string): Promise<UserRecord> {
    const target = await users.findById(id);
    if (!target) throw userNotFound();
    return target;
  }

  async function apply(
    actor: Actor,
    target: UserRecord,
    changes: { role?: Role; disabled?: boolean },
  ): Promise<UserRecord> {
    const updated = await users.updateAdminFields(target.id, changes);
    const disabledNow = changes.disabled === true && target.disabledAt === null;
    const roleChanged = changes.role !== undefined && changes.role !== target.role;
    // A disabled user's tokens must stop working now; after a role change, tokens carry a stale role
    // claim: in both cases the sessions end and the user signs in again (if allowed).
    if (disabledNow || roleChanged) {
      await sessions.endAllOfUser(target.id, disabledNow ? 'account-disabled' : 'role-changed');
    }
    logger.info(
      { securityEvent: 'admin-user-update', ...actor, targetId: target.id, changes },
      "an admin changed a user's role or status",
    );
    return updated;
  }

  return {
    /** One page, newest first: `nextCursor` (opaque to clients) continues after its last row, null at the end. */
    async listUsers(query: {
      search?: string | undefined;
      role?: Role | undefined;
      limit: number;
      cursor?: string | undefined;
    }): Promise<{ items: UserRecord[]; nextCursor: string | null; total: number }> {
      // Bound to the filters: a cursor of another search would continue the wrong list (422 invalid-cursor).
      const spec: CursorSpec<string> = {
        list: { users: { search: query.search, role: query.role } },
        value: cursorDate,
        id: cursorUuid,
      };
      const after = startAfter(query.cursor, spec);
      // The repository returns one row more than asked: its presence says another page exists.
      const { rows, total } = await users.list({
        search: query.search,
        role: query.role,
        limit: query.limit,
        after: after ? { createdAt: new Date(after.v), id: after.id } : undefined,
      });
      const page = keysetPage(rows, query.limit, spec, (last) => ({
        v: last.createdAt.toISOString(),
        id: last.id,
      }));
      return { ...page, total };
    },

    async updateUser(
      adminId: string,
      targetId: string,
      changes: { role?: Role; disabled?: boolean },
    ): Promise<UserRecord> {
      const target = await mustFind(targetId);
      // Keeps the last admin from locking everyone out by accident; another admin can still do it.
      if (
        targetId === adminId &&
        ((changes.role !== undefined && changes.role !== 'admin') || changes.disabled === true)
      ) {
        throw cannotChangeOwnAccess();
      }
      return apply({ adminId }, target, changes);
    },

    /**
     * Makes an existing account an admin from the command line, as PATCH /admin/users/:id does (its
     * sessions end). Only with a verified email: otherwise whoever registered the address first (perhaps
     * not its owner) would become admin.
     */
    async promoteVerified(actor: Actor, targetId: string): Promise<UserRecord> {
      const target = await mustFind(targetId);
      if (!target.emailVerifiedAt) {
        throw new ValidationError(
          'The account has not verified its email address: its owner must follow the verification link first.',
          { code: 'email-not-verified' },
        );
      }
      if (target.role === 'admin') return target;
      return apply(actor, target, { role: 'admin' });
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
