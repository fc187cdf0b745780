import { z } from 'zod';

/** `{ items, nextCursor }`: every list of this service. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({
        description: 'Pass as `cursor` to get the next page; null on the last page.',
        example: null,
      }),
    })
    .meta({ id });
}
