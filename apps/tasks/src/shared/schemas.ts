import { z } from 'zod';

/** `{ items, nextCursor }`: every list of this service, with the item's example as a one-item page. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  const itemExample = item.meta()?.example;
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({
        description: 'Pass as `cursor` to get the next page; null on the last page.',
        example: null,
      }),
    })
    .meta({
      id,
      example: {
        items: itemExample === undefined ? [] : [itemExample],
        nextCursor: 'eyJsIjoiM3h2bkZRT2VfVmRCcE1nUyIsInYiOjEwMjQsImlkIjoiMGIxYzJkM2UifQ',
      },
    });
}
