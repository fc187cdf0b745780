import { z } from 'zod';
import { emailSchema, uuidSchema } from '@mini/validation';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../passwords/password-policy.ts';
import type { UserRecord } from './users.repository.ts';

export { emailSchema };

export const usernameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{3,30}$/, {
    error: 'Use 3 to 30 characters: letters, digits, underscore or hyphen',
  })
  .meta({
    example: 'ada_lovelace',
    description: '3 to 30 letters, digits, _ or -; unique regardless of case.',
  });

/**
 * Length is checked by the policy (in characters, not UTF-16 units) together with the common-password
 * list; the schema only bounds the input so a megabyte-long "password" never reaches the hash function.
 */
export const passwordSchema = z
  .string()
  .min(1, { error: 'Required' })
  .max(PASSWORD_MAX_LENGTH * 4)
  .meta({
    description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, any characters; common passwords are refused.`,
    example: 'correct horse battery staple',
  });

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, { error: 'Must not be empty (send null to clear it)' })
  .max(100)
  .nullable()
  .meta({ example: 'Ada Lovelace' });

export const roleSchema = z.enum(['user', 'manager', 'admin']);

export const meSchema = z
  .object({
    id: uuidSchema,
    email: z.string().meta({ example: 'ada@example.com' }),
    emailVerified: z.boolean(),
    username: z.string().meta({ example: 'ada_lovelace' }),
    displayName: z.string().nullable().meta({ example: 'Ada Lovelace' }),
    role: roleSchema,
    createdAt: z.string().meta({ example: '2026-05-01T12:00:00.000Z' }),
    updatedAt: z.string().meta({ example: '2026-05-01T12:00:00.000Z' }),
  })
  .meta({ id: 'Me' });

/** The contract other services rely on (tasks, blog, chat): keep it exactly. */
export const publicProfileSchema = z
  .object({
    id: uuidSchema,
    username: z.string().meta({ example: 'ada_lovelace' }),
    displayName: z.string().nullable().meta({ example: 'Ada Lovelace' }),
  })
  .meta({ id: 'PublicProfile' });

const currentPasswordSchema = z
  .string()
  .min(1)
  .max(1024)
  .meta({
    description:
      'Required to change the email or the password unless you signed in within REAUTH_WINDOW_SECONDS ' +
      '(default 5 minutes: "sudo mode"); always checked when sent.',
  });

export const updateMeBody = z
  .object({
    username: usernameSchema.optional(),
    displayName: displayNameSchema.optional(),
    email: emailSchema.optional(),
    currentPassword: currentPasswordSchema.optional(),
  })
  .strict()
  .refine(
    (body) => body.username !== undefined || body.displayName !== undefined || body.email !== undefined,
    { error: 'Send username, displayName and/or email' },
  )
  .meta({ example: { displayName: 'Ada Lovelace' } });

export const changePasswordBody = z
  .object({ currentPassword: currentPasswordSchema.optional(), newPassword: passwordSchema })
  .strict()
  .meta({
    example: { currentPassword: 'correct horse battery staple', newPassword: 'a new, longer passphrase' },
  });

export const usernameParams = z
  .object({ username: z.string().min(1).max(100).meta({ example: 'ada_lovelace' }) })
  .strict();

export type Me = z.infer<typeof meSchema>;
export type PublicProfile = z.infer<typeof publicProfileSchema>;

export function toMe(user: UserRecord): Me {
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerifiedAt !== null,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function toPublicProfile(user: UserRecord): PublicProfile {
  return { id: user.id, username: user.username, displayName: user.displayName };
}
