import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { asRealWorld, createArticle, registerUser, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('favorites', () => {
  it('when favorited, answers favorited true and the count; others see the count, not favorited', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const fan = await registerUser(ctx.app, 'fan');
    const article = await createArticle(ctx.app, jake);
    const res = await asRealWorld(ctx.app, fan).post(`/api/articles/${article.slug}/favorite`);
    expect(res.status).toBe(200);
    expect(res.body.article).toMatchObject({ slug: article.slug, favorited: true, favoritesCount: 1 });

    const seen = await asRealWorld(ctx.app, jake).get(`/api/articles/${article.slug}`);
    expect(seen.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
    const anonymous = await request(ctx.app).get(`/api/articles/${article.slug}`);
    expect(anonymous.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
  });

  it('favoriting twice counts once; unfavoriting (twice) brings the count back', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const fan = await registerUser(ctx.app, 'fan');
    const article = await createArticle(ctx.app, jake);
    await asRealWorld(ctx.app, fan).post(`/api/articles/${article.slug}/favorite`);
    const twice = await asRealWorld(ctx.app, fan).post(`/api/articles/${article.slug}/favorite`);
    expect(twice.body.article.favoritesCount).toBe(1);
    await asRealWorld(ctx.app, jake).post(`/api/articles/${article.slug}/favorite`);

    const un = await asRealWorld(ctx.app, fan).delete(`/api/articles/${article.slug}/favorite`);
    expect(un.status).toBe(200);
    expect(un.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
    const again = await asRealWorld(ctx.app, fan).delete(`/api/articles/${article.slug}/favorite`);
    expect(again.body.article).toMatchObject({ favorited: false, favoritesCount: 1 });
  });

  it('GET /api/articles?favorited= lists what that user favorited, newest first, with favorited for the viewer', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const fan = await registerUser(ctx.app, 'fan');
    const a = await createArticle(ctx.app, jake);
    await createArticle(ctx.app, jake);
    const c = await createArticle(ctx.app, jake);
    await asRealWorld(ctx.app, fan).post(`/api/articles/${a.slug}/favorite`);
    await asRealWorld(ctx.app, fan).post(`/api/articles/${c.slug}/favorite`);

    const res = await asRealWorld(ctx.app, fan).get(`/api/articles?favorited=${fan.username}`);
    expect(res.body.articlesCount).toBe(2);
    expect(res.body.articles.map((x: { slug: string }) => x.slug)).toEqual([c.slug, a.slug]);
    expect(res.body.articles.every((x: { favorited: boolean }) => x.favorited)).toBe(true);
    const byOther = await request(ctx.app).get(
      `/api/articles?favorited=${fan.username}&author=${jake.username}`,
    );
    expect(byOther.body.articlesCount).toBe(2);
    expect((await request(ctx.app).get(`/api/articles?favorited=${jake.username}`)).body.articlesCount).toBe(
      0,
    );
  });

  it('an unknown article is 404 with errors.article; without a token, 401', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const res = await asRealWorld(ctx.app, jake).post('/api/articles/no-such-article-here/favorite');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { article: ['not found'] } });
    expect(
      (await asRealWorld(ctx.app, jake).delete('/api/articles/no-such-article-here/favorite')).status,
    ).toBe(404);
    const article = await createArticle(ctx.app, jake);
    expect((await request(ctx.app).post(`/api/articles/${article.slug}/favorite`)).status).toBe(401);
  });
});
