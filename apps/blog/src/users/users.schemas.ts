import { z } from 'zod';

// RealWorld's own wording for a missing or empty field.
export const BLANK = "can't be blank";

const requiredText = (max: number) =>
  z
    .string({ error: BLANK })
    .trim()
    .min(1, { error: BLANK })
    .max(max, { error: `is too long (maximum is ${max} characters)` });

// Auth judges the rest (common passwords, at most 64 characters); the length floor is checked here too so
// that a short password never leaves the blog.
const password = z
  .string({ error: BLANK })
  .min(8, { error: 'is too short (minimum is 8 characters)' })
  .max(1024, { error: 'is too long' });

// An empty string is stored as null (no bio, no image); null clears it.
const optionalText = (max: number) =>
  z
    .string()
    .max(max, { error: `is too long (maximum is ${max} characters)` })
    .nullable()
    .optional();

export const newUserBody = z
  .object({
    user: z
      .object({ username: requiredText(30), email: requiredText(254), password }, { error: BLANK })
      .strict(),
  })
  .strict()
  .meta({ example: { user: { username: 'jacob', email: 'jake@jake.jake', password: 'jakejake' } } });

export const loginBody = z
  .object({
    user: z
      .object(
        { email: requiredText(254), password: z.string({ error: BLANK }).min(1, { error: BLANK }).max(1024) },
        { error: BLANK },
      )
      .strict(),
  })
  .strict()
  .meta({ example: { user: { email: 'jake@jake.jake', password: 'jakejake' } } });

export const updateUserBody = z
  .object({
    user: z
      .object(
        {
          email: requiredText(254).optional(),
          username: requiredText(30).optional(),
          password: password.optional(),
          bio: optionalText(2000),
          image: optionalText(2048),
        },
        { error: BLANK },
      )
      .strict()
      .refine((user) => Object.keys(user).length > 0, { error: 'must change at least one field' }),
  })
  .strict()
  .meta({ example: { user: { bio: 'I like to skateboard', image: 'https://i.stack.imgur.com/xHWG8.jpg' } } });

export type UserChanges = z.output<typeof updateUserBody>['user'];

export const userSchema = z
  .object({
    email: z.string(),
    token: z.string().meta({ description: "The auth service's access token (send it as `Token <jwt>`)." }),
    username: z.string(),
    bio: z.string().nullable(),
    image: z.string().nullable(),
  })
  .meta({ id: 'User' });

export const userResponse = z.object({ user: userSchema }).meta({
  id: 'UserResponse',
  example: {
    user: {
      email: 'jake@jake.jake',
      token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl',
      username: 'jake',
      bio: 'I work at statefarm',
      image: null,
    },
  },
});

export type UserDto = z.output<typeof userSchema>;
