import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { asRealWorld, createArticle, registerUser, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

async function addComment(slug: string, user: { token: string }, body = 'A comment.') {
  const res = await asRealWorld(ctx.app, user)
    .post(`/api/articles/${slug}/comments`)
    .send({ comment: { body } });
  if (res.status !== 201) throw new Error(`addComment: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.comment as { id: number; body: string };
}

describe('comments', () => {
  it('when added, returns 201 with an integer id and the author; the list has them in the order written', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const reader = await registerUser(ctx.app, 'reader');
    const article = await createArticle(ctx.app, jake);
    const res = await asRealWorld(ctx.app, reader)
      .post(`/api/articles/${article.slug}/comments`)
      .send({ comment: { body: 'First!' } });
    expect(res.status).toBe(201);
    expect(res.body.comment).toEqual({
      id: expect.any(Number),
      body: 'First!',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      author: { username: reader.username, bio: null, image: null, following: false },
    });
    await addComment(article.slug, jake, 'Thanks');

    const list = await request(ctx.app).get(`/api/articles/${article.slug}/comments`);
    expect(list.status).toBe(200);
    expect(list.body.comments.map((c: { body: string }) => c.body)).toEqual(['First!', 'Thanks']);
  });

  it("signed in, the list says whether you follow each comment's author", async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const fan = await registerUser(ctx.app, 'fan');
    const article = await createArticle(ctx.app, jake);
    await addComment(article.slug, jake);
    await asRealWorld(ctx.app, fan).post(`/api/profiles/${jake.username}/follow`);
    const list = await asRealWorld(ctx.app, fan).get(`/api/articles/${article.slug}/comments`);
    expect(list.body.comments[0].author.following).toBe(true);
  });

  it('when the body is empty or missing, returns 422 with errors.body', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const article = await createArticle(ctx.app, jake);
    for (const comment of [{ body: ' ' }, {}]) {
      const res = await asRealWorld(ctx.app, jake)
        .post(`/api/articles/${article.slug}/comments`)
        .send({ comment });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ errors: { body: ["can't be blank"] } });
    }
  });

  it('on an unknown article, listing and adding are 404 with errors.article; adding without a token is 401', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    expect((await request(ctx.app).get('/api/articles/no-such-article-here/comments')).body).toEqual({
      errors: { article: ['not found'] },
    });
    const add = await asRealWorld(ctx.app, jake)
      .post('/api/articles/no-such-article-here/comments')
      .send({ comment: { body: 'x' } });
    expect(add.status).toBe(404);
    const article = await createArticle(ctx.app, jake);
    const anonymous = await request(ctx.app)
      .post(`/api/articles/${article.slug}/comments`)
      .send({ comment: { body: 'x' } });
    expect(anonymous.status).toBe(401);
  });

  it('its author deletes a comment: 204, and it leaves the list', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const article = await createArticle(ctx.app, jake);
    const comment = await addComment(article.slug, jake);
    const res = await asRealWorld(ctx.app, jake).delete(
      `/api/articles/${article.slug}/comments/${comment.id}`,
    );
    expect(res.status).toBe(204);
    expect((await request(ctx.app).get(`/api/articles/${article.slug}/comments`)).body.comments).toEqual([]);
  });

  it("someone else's comment is 403 with errors.comment, even for the article's author", async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const reader = await registerUser(ctx.app, 'reader');
    const article = await createArticle(ctx.app, jake);
    const comment = await addComment(article.slug, reader);
    const res = await asRealWorld(ctx.app, jake).delete(
      `/api/articles/${article.slug}/comments/${comment.id}`,
    );
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ errors: { comment: ['forbidden'] } });
  });

  it('a comment id of another article, or unknown, is 404; a non-numeric id is 422', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const a = await createArticle(ctx.app, jake);
    const b = await createArticle(ctx.app, jake);
    const comment = await addComment(b.slug, jake);
    const other = await asRealWorld(ctx.app, jake).delete(`/api/articles/${a.slug}/comments/${comment.id}`);
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ errors: { comment: ['not found'] } });
    expect(
      (await asRealWorld(ctx.app, jake).delete(`/api/articles/${a.slug}/comments/2147483647`)).status,
    ).toBe(404);
    const bad = await asRealWorld(ctx.app, jake).delete(`/api/articles/${a.slug}/comments/abc`);
    expect(bad.status).toBe(422);
    expect(bad.body.errors.id).toBeDefined();
  });

  it('deleting the article deletes its comments with it', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const article = await createArticle(ctx.app, jake);
    await addComment(article.slug, jake);
    expect((await asRealWorld(ctx.app, jake).delete(`/api/articles/${article.slug}`)).status).toBe(204);
    expect((await request(ctx.app).get(`/api/articles/${article.slug}/comments`)).status).toBe(404);
  });
});
