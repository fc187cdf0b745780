import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { uniqueSuffix } from '@mini/testing';
import { asRealWorld, createArticle, registerUser, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('GET /api/tags', () => {
  it('lists each tag in use once, the most used first; a tag no article carries any more is gone', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const s = uniqueSuffix();
    const [popular, rare, dropped] = [`popular-${s}`, `rare-${s}`, `dropped-${s}`];
    await createArticle(ctx.app, jake, { tagList: [rare, popular] });
    await createArticle(ctx.app, jake, { tagList: [popular] });
    const third = await createArticle(ctx.app, jake, { tagList: [dropped] });

    const before = await request(ctx.app).get('/api/tags');
    expect(before.status).toBe(200);
    const mine = (tags: string[]) => tags.filter((t) => t.endsWith(s));
    expect(mine(before.body.tags)).toEqual([popular, dropped, rare]);

    await asRealWorld(ctx.app, jake)
      .put(`/api/articles/${third.slug}`)
      .send({ article: { tagList: [] } });
    expect(mine((await request(ctx.app).get('/api/tags')).body.tags)).toEqual([popular, rare]);
  });
});
