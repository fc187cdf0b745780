import { z } from 'zod';

export const tagsResponse = z
  .object({ tags: z.array(z.string()).meta({ description: 'Every tag in use, the most used first.' }) })
  .meta({ id: 'TagsResponse', example: { tags: ['reactjs', 'angularjs', 'dragons'] } });
