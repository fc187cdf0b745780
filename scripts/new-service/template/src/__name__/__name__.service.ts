import { NotFoundError } from '@mini/http';
import { decodeCursor, page } from '../shared/cursor.ts';
import type { __Item__Record, __Item__Repository } from './__name__.repository.ts';

/** Unknown and someone else's answer alike: existence is never leaked. */
export const __item__NotFound = () =>
  new NotFoundError('No such __item__ of yours.', { code: '__item__-not-found' });

/** The rules of the feature: every operation is on the caller's own rows only. */
export function create__Name__Service(repository: __Item__Repository) {
  return {
    create(ownerId: string, input: { title: string; body?: string | undefined }) {
      return repository.create({ ownerId, title: input.title, body: input.body ?? '' });
    },

    async list(ownerId: string, options: { limit: number; cursor?: string | undefined }) {
      const rows = await repository.listByOwner(ownerId, {
        after: decodeCursor(options.cursor),
        take: options.limit + 1,
      });
      return page(rows, options.limit);
    },

    async get(ownerId: string, id: string): Promise<__Item__Record> {
      const found = await repository.findOwned(ownerId, id);
      if (!found) throw __item__NotFound();
      return found;
    },

    async update(
      ownerId: string,
      id: string,
      changes: { title?: string | undefined; body?: string | undefined },
    ): Promise<__Item__Record> {
      const updated = await repository.updateOwned(ownerId, id, changes);
      if (!updated) throw __item__NotFound();
      return updated;
    },

    async delete(ownerId: string, id: string): Promise<void> {
      if (!(await repository.deleteOwned(ownerId, id))) throw __item__NotFound();
    },
  };
}

export type __Name__Service = ReturnType<typeof create__Name__Service>;
