import { z } from 'zod';

export const usernameParams = z
  .object({
    username: z
      .string()
      .min(1)
      .max(100, { error: 'is too long (maximum is 100 characters)' })
      .meta({ description: 'The username, as the user answers carry it.', example: 'jake' }),
  })
  .strict();

export const profileSchema = z
  .object({
    username: z.string(),
    bio: z.string().nullable(),
    image: z.string().nullable(),
    following: z
      .boolean()
      .meta({ description: 'Whether you follow them (false when you are not signed in).' }),
  })
  .meta({ id: 'Profile' });

export const profileResponse = z.object({ profile: profileSchema }).meta({
  id: 'ProfileResponse',
  example: { profile: { username: 'jake', bio: 'I work at statefarm', image: null, following: false } },
});

export type ProfileDto = z.output<typeof profileSchema>;
