import type { DbClient } from '../db.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export type Role = 'user' | 'manager' | 'admin';

/** A user as the services see it: a plain object, never a Prisma model instance. */
export interface UserRecord {
  id: string;
  email: string;
  username: string;
  displayName: string | null;
  passwordHash: string;
  role: Role;
  emailVerifiedAt: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  id: true,
  email: true,
  username: true,
  displayName: true,
  passwordHash: true,
  role: true,
  emailVerifiedAt: true,
  disabledAt: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.UserSelect;

/** Unique constraint names, so the service can say which field is taken. */
export const USER_EMAIL_UNIQUE = 'users_email_lower_key';
export const USER_USERNAME_UNIQUE = 'users_username_lower_key';

export interface NewUser {
  email: string;
  username: string;
  passwordHash: string;
  role?: Role;
  displayName?: string | null;
}

export interface UserListQuery {
  search?: string | undefined;
  role?: Role | undefined;
  limit: number;
  /** Keyset cursor: the last row of the previous page. */
  after?: { createdAt: Date; id: string } | undefined;
}

export function createUsersRepository(prisma: DbClient) {
  return {
    create(user: NewUser): Promise<UserRecord> {
      return prisma.user.create({
        data: {
          email: user.email,
          emailLower: user.email.toLowerCase(),
          username: user.username,
          usernameLower: user.username.toLowerCase(),
          passwordHash: user.passwordHash,
          role: user.role ?? 'user',
          displayName: user.displayName ?? null,
        },
        select: columns,
      });
    },

    findById(id: string): Promise<UserRecord | null> {
      return prisma.user.findUnique({ where: { id }, select: columns });
    },

    findByEmail(email: string): Promise<UserRecord | null> {
      return prisma.user.findUnique({ where: { emailLower: email.toLowerCase() }, select: columns });
    },

    findByUsername(username: string): Promise<UserRecord | null> {
      return prisma.user.findUnique({ where: { usernameLower: username.toLowerCase() }, select: columns });
    },

    updateProfile(
      id: string,
      changes: { username?: string; displayName?: string | null; email?: string; emailVerified?: boolean },
    ): Promise<UserRecord> {
      return prisma.user.update({
        where: { id },
        data: {
          ...(changes.username === undefined
            ? {}
            : { username: changes.username, usernameLower: changes.username.toLowerCase() }),
          ...(changes.displayName === undefined ? {} : { displayName: changes.displayName }),
          ...(changes.email === undefined
            ? {}
            : { email: changes.email, emailLower: changes.email.toLowerCase() }),
          ...(changes.emailVerified === false ? { emailVerifiedAt: null } : {}),
        },
        select: columns,
      });
    },

    updatePasswordHash(id: string, passwordHash: string): Promise<UserRecord> {
      return prisma.user.update({ where: { id }, data: { passwordHash }, select: columns });
    },

    markEmailVerified(id: string): Promise<UserRecord> {
      return prisma.user.update({ where: { id }, data: { emailVerifiedAt: new Date() }, select: columns });
    },

    updateAdminFields(id: string, changes: { role?: Role; disabled?: boolean }): Promise<UserRecord> {
      return prisma.user.update({
        where: { id },
        data: {
          ...(changes.role === undefined ? {} : { role: changes.role }),
          ...(changes.disabled === undefined ? {} : { disabledAt: changes.disabled ? new Date() : null }),
        },
        select: columns,
      });
    },

    /** Newest first; fetches limit + 1 rows so the caller knows whether another page exists. */
    async list(query: UserListQuery): Promise<{ rows: UserRecord[]; total: number }> {
      // `contains` becomes LIKE '%…%', where % and _ are wildcards and \ escapes: a search means the
      // characters as typed, so all three are escaped.
      const search = query.search
        ?.trim()
        .toLowerCase()
        .replace(/[\\%_]/g, (char) => `\\${char}`);
      const filter: Prisma.UserWhereInput = {
        ...(query.role === undefined ? {} : { role: query.role }),
        ...(search
          ? { OR: [{ emailLower: { contains: search } }, { usernameLower: { contains: search } }] }
          : {}),
      };
      const after = query.after;
      const page: Prisma.UserWhereInput = after
        ? {
            OR: [
              { createdAt: { lt: after.createdAt } },
              // id breaks ties between users created in the same millisecond: no row is skipped or repeated.
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }
        : {};
      // Two statements side by side: in a transaction (READ COMMITTED) each would see its own snapshot anyway.
      const [rows, total] = await Promise.all([
        prisma.user.findMany({
          where: { AND: [filter, page] },
          select: columns,
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
        }),
        prisma.user.count({ where: filter }),
      ]);
      return { rows, total };
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
