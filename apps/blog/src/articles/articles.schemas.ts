import { z } from 'zod';
import { isoDateTime, queryInt } from '@mini/validation';
import { profileSchema } from '../profiles/profiles.schemas.ts';
import { BLANK } from '../users/users.schemas.ts';

const tooLong = (max: number) => ({ error: `is too long (maximum is ${max} characters)` });
const text = (max: number) =>
  z.string({ error: BLANK }).trim().min(1, { error: BLANK }).max(max, tooLong(max));
// A body is Markdown: kept as written (leading spaces may mean code), but not only whitespace.
const body = z.string({ error: BLANK }).regex(/\S/, { error: BLANK }).max(100_000, tooLong(100_000));

// Order kept, repeats dropped (the first stays). `null` is not "no tags": send [] to clear them.
const tagList = z
  .array(z.string({ error: 'must be text' }).trim().min(1, { error: BLANK }).max(50, tooLong(50)), {
    error: 'must be a list of tags',
  })
  .max(20, { error: 'has too many tags (maximum is 20)' })
  .transform((tags) => [...new Set(tags)]);

export const slugParams = z
  .object({ slug: z.string().min(1).max(200, tooLong(200)).meta({ example: 'how-to-train-your-dragon' }) })
  .strict();

export const newArticleBody = z
  .object({
    article: z
      .object(
        { title: text(200), description: text(500), body, tagList: tagList.optional() },
        { error: BLANK },
      )
      .strict(),
  })
  .strict()
  .meta({
    example: {
      article: {
        title: 'How to train your dragon',
        description: 'Ever wonder how?',
        body: 'You have to believe',
        tagList: ['reactjs', 'angularjs', 'dragons'],
      },
    },
  });

export const updateArticleBody = z
  .object({
    article: z
      .object(
        {
          title: text(200).optional(),
          description: text(500).optional(),
          body: body.optional(),
          tagList: tagList.optional(),
        },
        { error: BLANK },
      )
      .strict(),
  })
  .strict()
  .meta({ example: { article: { title: 'Did you train your dragon?' } } });

export type NewArticle = z.output<typeof newArticleBody>['article'];
export type ArticleChanges = z.output<typeof updateArticleBody>['article'];

const page = {
  limit: queryInt({ min: 1, max: 100 }).default(20).meta({ description: 'At most this many (1 to 100).' }),
  offset: queryInt({ min: 0 }).default(0).meta({ description: 'Skip this many first.' }),
};
const name = z.string().min(1).max(100, tooLong(100));

export const listArticlesQuery = z
  .object({
    tag: name.optional().meta({ description: 'Only articles with this tag.' }),
    author: name.optional().meta({ description: 'Only articles by this username.' }),
    favorited: name.optional().meta({ description: 'Only articles this username favorited.' }),
    ...page,
  })
  .strict();

export const feedQuery = z.object(page).strict();

const summaryFields = {
  slug: z.string(),
  title: z.string(),
  description: z.string(),
  tagList: z.array(z.string()),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  favorited: z.boolean(),
  favoritesCount: z.number().int(),
  author: profileSchema,
};

export const articleSchema = z.object({ ...summaryFields, body: z.string() }).meta({ id: 'Article' });
export const articleSummarySchema = z.object(summaryFields).meta({ id: 'ArticleSummary' });

export const articleResponse = z.object({ article: articleSchema }).meta({ id: 'SingleArticleResponse' });
export const articleListResponse = z
  .object({
    articles: z.array(articleSummarySchema),
    articlesCount: z.number().int().meta({ description: 'How many articles match, over all pages.' }),
  })
  .meta({ id: 'MultipleArticlesResponse' });

export type ArticleDto = z.output<typeof articleSchema>;
export type ArticleSummaryDto = z.output<typeof articleSummarySchema>;
