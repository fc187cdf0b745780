import { z } from 'zod';
import { paginationQuery } from '@mini/validation';
import type { UserRecord } from '../users/users.repository.ts';
import { meSchema, roleSchema, toMe } from '../users/users.schemas.ts';

export const adminUserSchema = meSchema
  .extend({
    disabled: z.boolean(),
    disabledAt: z.string().nullable().meta({ example: null }),
  })
  .meta({ id: 'AdminUser' });

export const adminUserListQuery = paginationQuery
  .extend({
    search: z
      .string()
      .trim()
      .max(100)
      .optional()
      .meta({ description: 'Part of an email or username, any case.', example: 'ada' }),
    role: roleSchema.optional(),
  })
  .strict();

export const adminUserListSchema = z
  .object({
    items: z.array(adminUserSchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as ?cursor= for the next page; null on the last page.' }),
    total: z
      .number()
      .int()
      .meta({ description: 'Users matching the filters, all pages together.', example: 1 }),
  })
  .meta({
    id: 'AdminUserList',
    example: {
      items: [
        {
          id: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60',
          email: 'ada@example.com',
          emailVerified: true,
          username: 'ada_lovelace',
          displayName: 'Ada Lovelace',
          role: 'user',
          createdAt: '2026-05-01T12:00:00.000Z',
          updatedAt: '2026-05-01T12:00:00.000Z',
          disabled: false,
          disabledAt: null,
        },
      ],
      nextCursor: null,
      total: 1,
    },
  });

export const adminUpdateUserBody = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((body) => body.role !== undefined || body.disabled !== undefined, {
    error: 'Send role and/or disabled',
  })
  .meta({ example: { disabled: true } });

export function toAdminUser(user: UserRecord): z.infer<typeof adminUserSchema> {
  return {
    ...toMe(user),
    disabled: user.disabledAt !== null,
    disabledAt: user.disabledAt?.toISOString() ?? null,
  };
}
