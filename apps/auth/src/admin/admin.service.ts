import { ForbiddenError, NotFoundError } from '@mini/http';
import type { Logger } from '@mini/logger';
import type { SessionsService } from '../sessions/sessions.service.ts';
import type { Role, UserListQuery, UserRecord, UsersRepository } from '../users/users.repository.ts';

export interface AdminServiceDeps {
  users: UsersRepository;
  sessions: SessionsService;
  logger: Logger;
}

export function createAdminService({ users, sessions, logger }: AdminServiceDeps) {
  return {
    listUsers(query: UserListQuery): Promise<{ rows: UserRecord[]; total: number }> {
      return users.list(query);
    },

    async updateUser(
      adminId: string,
      targetId: string,
      changes: { role?: Role; disabled?: boolean },
    ): Promise<UserRecord> {
      const target = await users.findById(targetId);
      if (!target) throw new NotFoundError('No such user.', { code: 'user-not-found' });
      // Keeps the last admin from locking everyone out by accident; another admin can still do it.
      if (targetId === adminId && (changes.role === 'user' || changes.disabled === true)) {
        throw new ForbiddenError('Admins cannot demote or disable themselves; ask another admin.', {
          code: 'cannot-change-own-access',
        });
      }
      const updated = await users.updateAdminFields(targetId, changes);

      const disabledNow = changes.disabled === true && target.disabledAt === null;
      const roleChanged = changes.role !== undefined && changes.role !== target.role;
      // A disabled user's tokens must stop working now; after a role change, tokens carry a stale role
      // claim: in both cases the sessions end and the user signs in again (if allowed).
      if (disabledNow || roleChanged) {
        await sessions.endAllOfUser(targetId, disabledNow ? 'account-disabled' : 'role-changed');
      }
      logger.info(
        { securityEvent: 'admin-user-update', adminId, targetId, changes },
        "an admin changed a user's role or status",
      );
      return updated;
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
