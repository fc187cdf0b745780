import { ConflictError, NotFoundError } from '@mini/http';
import { cursorText, cursorUuid, keysetPage, startAfter, type CursorSpec } from '@mini/validation';
import type { Store } from '../repositories.ts';
import type { CategoryRecord } from './categories.repository.ts';

export const categoryNotFound = () =>
  new NotFoundError('The category was not found.', { code: 'category-not-found' });

export const categoryNameTaken = (name = 'Fasteners') =>
  new ConflictError(`A category named "${name}" already exists.`, {
    code: 'category-name-taken',
    errors: { name: ['Already used (letter case does not matter)'] },
  });

const spec: CursorSpec<string> = { list: 'categories', value: cursorText, id: cursorUuid };

export function createCategoriesService(store: Store) {
  const { repos } = store;
  return {
    async list(options: { limit: number; cursor?: string | undefined }) {
      const after = startAfter(options.cursor, spec);
      const rows = await repos.categories.list({
        after: after && { key: after.v, id: after.id },
        take: options.limit + 1,
      });
      const page = keysetPage(rows, options.limit, spec, (last) => ({ v: last.nameKey, id: last.id }));
      return { ...page, items: page.items.map(({ id, name, createdAt }) => ({ id, name, createdAt })) };
    },

    async get(id: string): Promise<CategoryRecord> {
      const category = await repos.categories.find(id);
      if (!category) throw categoryNotFound();
      return category;
    },

    async create(input: { name: string }): Promise<CategoryRecord> {
      const category = await repos.categories.create(input.name);
      if (!category) throw categoryNameTaken(input.name);
      return category;
    },
  };
}

export type CategoriesService = ReturnType<typeof createCategoriesService>;
