import { z } from 'zod';
import { isoDateTime, queryInt } from '@mini/validation';
import { slugParams } from '../articles/articles.schemas.ts';
import { profileSchema } from '../profiles/profiles.schemas.ts';
import { BLANK } from '../users/users.schemas.ts';

export const commentParams = slugParams
  .extend({
    id: queryInt({ min: 1, max: 2_147_483_647 }).meta({ description: 'The comment id.', example: 1 }),
  })
  .strict();

export const newCommentBody = z
  .object({
    comment: z
      .object(
        {
          body: z
            .string({ error: BLANK })
            .regex(/\S/, { error: BLANK })
            .max(20_000, { error: 'is too long (maximum is 20000 characters)' }),
        },
        { error: BLANK },
      )
      .strict(),
  })
  .strict()
  .meta({ example: { comment: { body: 'His name was my name too.' } } });

export const commentSchema = z
  .object({
    id: z.number().int(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    body: z.string(),
    author: profileSchema,
  })
  .meta({ id: 'Comment' });

export const commentResponse = z.object({ comment: commentSchema }).meta({ id: 'SingleCommentResponse' });
export const commentListResponse = z
  .object({ comments: z.array(commentSchema) })
  .meta({ id: 'MultipleCommentsResponse' });

export type CommentDto = z.output<typeof commentSchema>;
