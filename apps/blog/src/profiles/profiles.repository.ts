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

    /** The most recently refreshed profile with this username (see the schema: names are not unique). */
    async findByUsername(username: string): Promise<ProfileRecord | null> {
      return db.profile.findFirst({
        where: { username },
        select: profileSelect,
        orderBy: { updatedAt: 'desc' },
      });
    },

    /**
     * Makes sure the user has a profile (a token's holder who has not signed in through the blog yet),
     * without touching an existing one: the token's username may be older than the projection.
     */
    async ensure(userId: string, username: string): Promise<void> {
      await db.profile.createMany({ data: [{ userId, username }], skipDuplicates: true });
    },

    async isFollowing(followerId: string, followeeId: string): Promise<boolean> {
      const row = await db.follow.findUnique({
        where: { followerId_followeeId: { followerId, followeeId } },
        select: { followerId: true },
      });
      return row !== null;
    },

    /** Following twice is following once. */
    async follow(followerId: string, followeeId: string): Promise<void> {
      await db.follow.createMany({ data: [{ followerId, followeeId }], skipDuplicates: true });
    },

    async unfollow(followerId: string, followeeId: string): Promise<void> {
      await db.follow.deleteMany({ where: { followerId, followeeId } });
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
