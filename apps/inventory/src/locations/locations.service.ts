import { NotFoundError, ValidationError } from '@mini/http';
import { cursorText, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { Store } from '../repositories.ts';
import type { LocationRecord } from './locations.repository.ts';

export const locationNotFound = () =>
  new NotFoundError('The location was not found.', { code: 'location-not-found' });

export const unknownParent = () =>
  new ValidationError('The parent location does not exist.', {
    code: 'unknown-parent',
    errors: { parentId: ['No such location'] },
  });

export function createLocationsService(store: Store) {
  const { repos } = store;
  return {
    async list(options: { limit: number; cursor?: string | undefined; parentId?: string | undefined }) {
      const parentId = options.parentId === 'none' ? null : options.parentId;
      const spec: CursorSpec<string> = {
        list: { locations: options.parentId ?? 'all' },
        value: cursorText,
        id: cursorUuid,
      };
      const after = startAfter(options.cursor, spec);
      const rows = await repos.locations.list({
        parentId,
        after: after && { name: after.v, id: after.id },
        take: options.limit + 1,
      });
      return keysetPage(rows, options.limit, spec, (last) => ({ v: last.name, id: last.id }));
    },

    async get(id: string): Promise<LocationRecord> {
      const location = await repos.locations.find(id);
      if (!location) throw locationNotFound();
      return location;
    },

    async create(input: { name: string; parentId?: string | undefined }): Promise<LocationRecord> {
      return store.transaction(async (tx) => {
        // The parent is locked so that it cannot vanish between this check and the insert.
        if (input.parentId !== undefined && !(await tx.locations.lockExisting(input.parentId))) {
          throw unknownParent();
        }
        return tx.locations.create({ name: input.name, parentId: input.parentId ?? null });
      });
    },
  };
}

export type LocationsService = ReturnType<typeof createLocationsService>;
