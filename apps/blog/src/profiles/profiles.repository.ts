import type { DbClient } from '../db.ts';

export interface ProfileRecord {
  userId: string;
  username: string;
  bio: string | null;
  image: string | null;
}

const profileSelect = { userId: true, username: true, bio: true, image: true } as const;

export function profilesRepository(db: DbClient) {
  return {
    async find(userId: string): Promise<ProfileRecord | null> {
      return db.profile.findUnique({ where: { userId }, select: profileSelect });
    },

    /** Creates the user's profile, or refreshes its username projection; bio and image are kept. */
    async upsertUsername(userId: string, username: string): Promise<ProfileRecord> {
      return db.profile.upsert({
        where: { userId },
        create: { userId, username },
        update: { username },
        select: profileSelect,
      });
    },

    /** Creates or changes the profile; fields left undefined keep their value. */
    async save(
      userId: string,
      username: string,
      changes: { bio?: string | null | undefined; image?: string | null | undefined },
    ): Promise<ProfileRecord> {
      const set = {
        username,
        ...(changes.bio === undefined ? {} : { bio: changes.bio }),
        ...(changes.image === undefined ? {} : { image: changes.image }),
      };
      return db.profile.upsert({
        where: { userId },
        create: { userId, ...set },
        update: set,
        select: profileSelect,
      });
    },
  };
}
