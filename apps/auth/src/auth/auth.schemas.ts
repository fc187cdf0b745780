import { z } from 'zod';
import { emailSchema, passwordSchema, usernameSchema } from '../users/users.schemas.ts';

const opaqueToken = z.string().min(1).max(512);

export const registerBody = z
  .object({ email: emailSchema, username: usernameSchema, password: passwordSchema })
  .strict()
  .meta({
    example: { email: 'ada@example.com', username: 'ada_lovelace', password: 'correct horse battery staple' },
  });

export const loginBody = z
  .object({
    // Not the full email format check: a malformed address is simply an unknown account (401).
    email: z.string().trim().min(1).max(254),
    password: z.string().min(1).max(1024),
  })
  .strict()
  .meta({ example: { email: 'ada@example.com', password: 'correct horse battery staple' } });

export const refreshTokenBody = z
  .object({ refreshToken: opaqueToken })
  .strict()
  .meta({ example: { refreshToken: 'q3v0yq9bX1eS0m1p7QfKQyNf3o9gJ3rV0xY6j8W2hZc' } });

export const tokenPairSchema = z
  .object({
    accessToken: z.string().meta({
      description: 'JWT (ES256); send as `Authorization: Bearer <token>`.',
      example: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2ln',
    }),
    refreshToken: z.string().meta({
      description: 'Opaque, single use: each refresh returns a new one.',
      example: 'q3v0yq9bX1eS0m1p7QfKQyNf3o9gJ3rV0xY6j8W2hZc',
    }),
    tokenType: z.literal('Bearer'),
    expiresIn: z
      .number()
      .int()
      .meta({ description: 'Seconds until the access token expires.', example: 900 }),
  })
  .meta({ id: 'TokenPair' });

export const verifyEmailBody = z
  .object({ token: opaqueToken })
  .strict()
  .meta({ example: { token: 'Zk3...from the email' } });

export const forgotPasswordBody = z
  .object({ email: emailSchema })
  .strict()
  .meta({ example: { email: 'ada@example.com' } });

export const resetPasswordBody = z
  .object({ token: opaqueToken, password: passwordSchema })
  .strict()
  .meta({ example: { token: 'Zk3...from the email', password: 'a brand new passphrase' } });

export const acceptedSchema = z.object({ message: z.string() }).meta({
  example: { message: 'If an account exists for this email, a reset link is on its way.' },
});
