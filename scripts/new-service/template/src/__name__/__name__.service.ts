import { NotFoundError } from '@mini/http';
import { cursorDate, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { Store } from '../repositories.ts';
import type { __Item__Record } from './__name__.repository.ts';

/** Unknown and someone else's answer alike: existence is never leaked. */
export const __item__NotFound = () =>
  new NotFoundError('No such __item__ of yours.', { code: '__item__-not-found' });

export interface PageRequest {
  cursor?: string | undefined;
  limit: number;
}

/**
 * The rules of the feature: every operation is on the caller's own rows only. Each one here is a single
 * statement; writes that must commit together go in `store.transaction(async (tx) => ...)`, with `tx`
 * holding the same repositories.
 */
export function create__Name__Service(store: Store) {
  const { repos } = store;

  return {
    create(ownerId: string, input: { title: string; body?: string | undefined }): Promise<__Item__Record> {
      return repos.__name__.create({ ownerId, title: input.title, body: input.body ?? '' });
    },

    async list(ownerId: string, options: PageRequest) {
      // The cursor is bound to this list (its sort and its owner): one made for another list is a 422,
      // never a page of the wrong rows.
      const spec: CursorSpec<string> = {
        list: { __name__: { owner: ownerId, sort: 'newest' } },
        value: cursorDate,
        id: cursorUuid,
      };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.__name__.listByOwner(ownerId, {
        after: after && { createdAt: new Date(after.v), id: after.id },
        take: options.limit + 1,
      });
      return keysetPage(rows, options.limit, spec, (last) => ({
        v: last.createdAt.toISOString(),
        id: last.id,
      }));
    },

    async get(ownerId: string, id: string): Promise<__Item__Record> {
      const found = await repos.__name__.findOwned(ownerId, id);
      if (!found) throw __item__NotFound();
      return found;
    },

    async update(
      ownerId: string,
      id: string,
      changes: { title?: string | undefined; body?: string | undefined },
    ): Promise<__Item__Record> {
      const updated = await repos.__name__.updateOwned(ownerId, id, changes);
      if (!updated) throw __item__NotFound();
      return updated;
    },

    async delete(ownerId: string, id: string): Promise<void> {
      if (!(await repos.__name__.deleteOwned(ownerId, id))) throw __item__NotFound();
    },
  };
}

export type __Name__Service = ReturnType<typeof create__Name__Service>;
