import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { uniqueSuffix } from '@mini/testing';
import { asRealWorld, createArticle, registerUser, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('POST /api/articles', () => {
  it('when valid, returns 201 with the article, its slug from the title, tags in the order given', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const title = `How to train your dragon ${uniqueSuffix()}`;
    const res = await asRealWorld(ctx.app, jake)
      .post('/api/articles')
      .send({
        article: {
          title,
          description: 'Ever wonder how?',
          body: 'You have to believe',
          tagList: ['z', 'a', 'z', 'm'],
        },
      });
    expect(res.status).toBe(201);
    expect(res.body.article).toEqual({
      slug: title.toLowerCase().replaceAll(' ', '-'),
      title,
      description: 'Ever wonder how?',
      body: 'You have to believe',
      tagList: ['z', 'a', 'm'],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      favorited: false,
      favoritesCount: 0,
      author: { username: jake.username, bio: null, image: null, following: false },
    });
  });

  it('when two articles have the same title, they get distinct slugs', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const title = `Same title ${uniqueSuffix()}`;
    const a = await createArticle(ctx.app, jake, { title });
    const b = await createArticle(ctx.app, jake, { title });
    expect(a.slug).not.toBe(b.slug);
    expect(b.slug.startsWith(a.slug)).toBe(true);
    expect((await request(ctx.app).get(`/api/articles/${b.slug}`)).body.article.title).toBe(title);
  });

  it('makes readable slugs of accents and other scripts, and a title of symbols only still gets one', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const s = uniqueSuffix();
    expect((await createArticle(ctx.app, jake, { title: `Crème brûlée ${s}` })).slug).toBe(
      `creme-brulee-${s}`,
    );
    expect((await createArticle(ctx.app, jake, { title: `Привет мир ${s}` })).slug).toBe(`привет-мир-${s}`);
    const symbols = await createArticle(ctx.app, jake, { title: '!!! ???' });
    expect(symbols.slug).toMatch(/^article/);
    expect((await request(ctx.app).get(`/api/articles/${encodeURIComponent(symbols.slug)}`)).status).toBe(
      200,
    );
  });

  it.each([
    ['a missing title', { title: undefined }, 'title', "can't be blank"],
    ['a blank description', { description: '  ' }, 'description', "can't be blank"],
    ['a null body', { body: null }, 'body', "can't be blank"],
    ['a null tagList', { tagList: null }, 'tagList', 'must be a list of tags'],
  ])('when given %s, returns 422 under that field', async (_what, change, field, message) => {
    const jake = await registerUser(ctx.app, 'jake');
    const article = { title: 'T', description: 'D', body: 'B', ...change };
    const res = await asRealWorld(ctx.app, jake).post('/api/articles').send({ article });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors: { [field]: [message] } });
  });

  it('without a token, returns 401', async () => {
    const res = await request(ctx.app)
      .post('/api/articles')
      .send({ article: { title: 'T', description: 'D', body: 'B' } });
    expect(res.status).toBe(401);
  });
});

describe('GET /api/articles/:slug', () => {
  it('when the slug is unknown, returns 404 with errors.article', async () => {
    const res = await request(ctx.app).get('/api/articles/no-such-article-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { article: ['not found'] } });
  });

  it('signed in as a follower of the author, says author.following', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const fan = await registerUser(ctx.app, 'fan');
    const article = await createArticle(ctx.app, jake);
    await asRealWorld(ctx.app, fan).post(`/api/profiles/${jake.username}/follow`);
    const res = await asRealWorld(ctx.app, fan).get(`/api/articles/${article.slug}`);
    expect(res.body.article.author.following).toBe(true);
    expect((await request(ctx.app).get(`/api/articles/${article.slug}`)).body.article.author.following).toBe(
      false,
    );
  });
});

describe('PUT /api/articles/:slug', () => {
  it('when tagList is left out, keeps the tags; [] clears them; null is 422', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const article = await createArticle(ctx.app, jake, { tagList: ['b', 'a'] });
    const put = (changes: object) =>
      asRealWorld(ctx.app, jake).put(`/api/articles/${article.slug}`).send({ article: changes });

    const kept = await put({ body: 'New body' });
    expect(kept.status).toBe(200);
    expect(kept.body.article).toMatchObject({ body: 'New body', tagList: ['b', 'a'], slug: article.slug });

    const nulled = await put({ tagList: null });
    expect(nulled.status).toBe(422);
    expect(nulled.body.errors.tagList).toBeDefined();

    const cleared = await put({ tagList: [] });
    expect(cleared.body.article.tagList).toEqual([]);
  });

  it('when the title changes, the slug follows it and the old slug is gone', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const article = await createArticle(ctx.app, jake);
    const title = `Renamed ${uniqueSuffix()}`;
    const res = await asRealWorld(ctx.app, jake)
      .put(`/api/articles/${article.slug}`)
      .send({ article: { title } });
    expect(res.status).toBe(200);
    expect(res.body.article.slug).toBe(title.toLowerCase().replace(' ', '-'));
    expect((await request(ctx.app).get(`/api/articles/${article.slug}`)).status).toBe(404);
    expect((await request(ctx.app).get(`/api/articles/${res.body.article.slug}`)).status).toBe(200);
  });

  it('when renamed to the title of another article, gets a distinct slug', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const first = await createArticle(ctx.app, jake);
    const second = await createArticle(ctx.app, jake);
    const res = await asRealWorld(ctx.app, jake)
      .put(`/api/articles/${second.slug}`)
      .send({ article: { title: first.title } });
    expect(res.status).toBe(200);
    expect(res.body.article.slug).not.toBe(first.slug);
    expect(res.body.article.slug.startsWith(first.slug)).toBe(true);
  });

  it("when someone else's article, returns 403 with errors.article and changes nothing", async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const other = await registerUser(ctx.app, 'other');
    const article = await createArticle(ctx.app, jake);
    const res = await asRealWorld(ctx.app, other)
      .put(`/api/articles/${article.slug}`)
      .send({ article: { body: 'mine now' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ errors: { article: ['forbidden'] } });
    expect((await request(ctx.app).get(`/api/articles/${article.slug}`)).body.article.body).toBe(
      article.body,
    );
  });

  it('when the slug is unknown, returns 404; an empty title is 422', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const missing = await asRealWorld(ctx.app, jake)
      .put('/api/articles/no-such-article-here')
      .send({ article: { body: 'x' } });
    expect(missing.status).toBe(404);
    const article = await createArticle(ctx.app, jake);
    const empty = await asRealWorld(ctx.app, jake)
      .put(`/api/articles/${article.slug}`)
      .send({ article: { title: '' } });
    expect(empty.status).toBe(422);
    expect(empty.body).toEqual({ errors: { title: ["can't be blank"] } });
  });
});

describe('DELETE /api/articles/:slug', () => {
  it('the author deletes it: 204, then 404', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const article = await createArticle(ctx.app, jake);
    const res = await asRealWorld(ctx.app, jake).delete(`/api/articles/${article.slug}`);
    expect(res.status).toBe(204);
    expect((await request(ctx.app).get(`/api/articles/${article.slug}`)).status).toBe(404);
  });

  it('someone else gets 403 and the article stays', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const other = await registerUser(ctx.app, 'other');
    const article = await createArticle(ctx.app, jake);
    expect((await asRealWorld(ctx.app, other).delete(`/api/articles/${article.slug}`)).status).toBe(403);
    expect((await request(ctx.app).get(`/api/articles/${article.slug}`)).status).toBe(200);
  });

  it('an unknown slug is 404', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    expect((await asRealWorld(ctx.app, jake).delete('/api/articles/no-such-article-here')).status).toBe(404);
  });
});

describe('GET /api/articles', () => {
  it('filters by author and by tag, newest first, without bodies, with articlesCount', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const tag = `tag-${uniqueSuffix()}`;
    const first = await createArticle(ctx.app, jake, { tagList: [tag] });
    const second = await createArticle(ctx.app, jake);
    const third = await createArticle(ctx.app, jake, { tagList: ['other', tag] });

    const byAuthor = await request(ctx.app).get(`/api/articles?author=${jake.username}`);
    expect(byAuthor.status).toBe(200);
    expect(byAuthor.body.articlesCount).toBe(3);
    expect(byAuthor.body.articles.map((a: { slug: string }) => a.slug)).toEqual([
      third.slug,
      second.slug,
      first.slug,
    ]);
    expect(byAuthor.body.articles[0]).not.toHaveProperty('body');

    const byTag = await request(ctx.app).get(`/api/articles?tag=${tag}`);
    expect(byTag.body.articlesCount).toBe(2);
    expect(byTag.body.articles.map((a: { slug: string }) => a.slug)).toEqual([third.slug, first.slug]);
    expect(byTag.body.articles[0].tagList).toEqual(['other', tag]);
  });

  it('pages with limit and offset; articlesCount counts all matches', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const slugs: string[] = [];
    for (let i = 0; i < 5; i++) slugs.unshift((await createArticle(ctx.app, jake)).slug);
    const page = await request(ctx.app).get(`/api/articles?author=${jake.username}&limit=2&offset=1`);
    expect(page.body.articlesCount).toBe(5);
    expect(page.body.articles.map((a: { slug: string }) => a.slug)).toEqual(slugs.slice(1, 3));
    const past = await request(ctx.app).get(`/api/articles?author=${jake.username}&offset=10`);
    expect(past.body).toEqual({ articles: [], articlesCount: 5 });
  });

  it('an unknown author or tag is an empty list, not an error', async () => {
    const res = await request(ctx.app).get('/api/articles?author=nobody_here_at_all');
    expect(res.body).toEqual({ articles: [], articlesCount: 0 });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['offset=-1', 'offset'],
    ['limit=abc', 'limit'],
    ['sort=title', 'sort'],
  ])('when the query has %s, returns 422 under that name', async (query, field) => {
    const res = await request(ctx.app).get(`/api/articles?${query}`);
    expect(res.status).toBe(422);
    expect(res.body.errors[field]).toBeDefined();
  });
});

describe('GET /api/articles/feed', () => {
  it("lists the articles of the authors you follow, newest first, and nobody else's", async () => {
    const reader = await registerUser(ctx.app, 'reader');
    const followed = await registerUser(ctx.app, 'followed');
    const stranger = await registerUser(ctx.app, 'stranger');
    const older = await createArticle(ctx.app, followed);
    await createArticle(ctx.app, stranger);
    const newer = await createArticle(ctx.app, followed);
    await asRealWorld(ctx.app, reader).post(`/api/profiles/${followed.username}/follow`);

    const feed = await asRealWorld(ctx.app, reader).get('/api/articles/feed');
    expect(feed.status).toBe(200);
    expect(feed.body.articlesCount).toBe(2);
    expect(feed.body.articles.map((a: { slug: string }) => a.slug)).toEqual([newer.slug, older.slug]);
    expect(feed.body.articles[0].author.following).toBe(true);
    expect(feed.body.articles[0]).not.toHaveProperty('body');

    const limited = await asRealWorld(ctx.app, reader).get('/api/articles/feed?limit=1&offset=1');
    expect(limited.body.articles.map((a: { slug: string }) => a.slug)).toEqual([older.slug]);
  });

  it('when you follow nobody, is empty; without a token, 401', async () => {
    const loner = await registerUser(ctx.app, 'loner');
    expect((await asRealWorld(ctx.app, loner).get('/api/articles/feed')).body).toEqual({
      articles: [],
      articlesCount: 0,
    });
    expect((await request(ctx.app).get('/api/articles/feed')).status).toBe(401);
  });
});
