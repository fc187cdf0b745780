import { NotFoundError, ValidationError } from '@mini/http';
import type { Store } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import type { ProfileRecord } from './profiles.repository.ts';
import type { ProfileDto } from './profiles.schemas.ts';

export const profileNotFound = () =>
  new NotFoundError('No such profile.', { code: 'profile-not-found', errors: { profile: ['not found'] } });

export const toProfile = (profile: ProfileRecord, following: boolean): ProfileDto => ({
  username: profile.username,
  bio: profile.bio,
  image: profile.image,
  following,
});

export function createProfilesService(store: Store) {
  const { repos } = store;

  async function mustFind(username: string): Promise<ProfileRecord> {
    const profile = await repos.profiles.findByUsername(username);
    if (!profile) throw profileNotFound();
    return profile;
  }

  return {
    async get(viewer: Actor | null, username: string): Promise<ProfileDto> {
      const profile = await mustFind(username);
      const following = viewer !== null && (await repos.profiles.isFollowing(viewer.id, profile.userId));
      return toProfile(profile, following);
    },

    async follow(actor: Actor, username: string): Promise<ProfileDto> {
      const profile = await mustFind(username);
      if (profile.userId === actor.id) {
        throw new ValidationError('You cannot follow yourself.', {
          code: 'cannot-follow-self',
          errors: { username: ['cannot follow yourself'] },
        });
      }
      await store.transaction(async (tx) => {
        await tx.profiles.ensure(actor.id, actor.username);
        await tx.profiles.follow(actor.id, profile.userId);
      });
      return toProfile(profile, true);
    },

    async unfollow(actor: Actor, username: string): Promise<ProfileDto> {
      const profile = await mustFind(username);
      await repos.profiles.unfollow(actor.id, profile.userId);
      return toProfile(profile, false);
    },
  };
}

export type ProfilesService = ReturnType<typeof createProfilesService>;
