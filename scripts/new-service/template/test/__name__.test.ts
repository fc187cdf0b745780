import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { tokenFor } from '@mini/testing';
import { as, create__Item__, makeUser, useTestApp } from './helpers.ts';

const ctx = useTestApp();

describe('__name__', () => {
  it('when a __item__ is created, returns 201 with it and its Location, and GET returns the same', async () => {
    const user = makeUser();
    const res = await as(ctx, user).post('/__name__').send({ title: '  Groceries ', body: 'Milk' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'Groceries', body: 'Milk' });
    expect(res.headers.location).toBe(`/__name__/${res.body.id}`);

    const got = await as(ctx, user).get(`/__name__/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('when the body is left out, stores an empty body', async () => {
    const created = await create__Item__(ctx, makeUser());
    expect(created.body).toBe('');
  });

  it('when the title is missing or blank, returns 422 with errors.title', async () => {
    const user = makeUser();
    for (const body of [{}, { title: '   ' }]) {
      const res = await as(ctx, user).post('/__name__').send(body);
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.title).toBeDefined();
    }
  });

  it('when an unknown field is sent (ownerId), returns 422 and stores nothing of it', async () => {
    const user = makeUser();
    const res = await as(ctx, user).post('/__name__').send({ title: 'x', ownerId: makeUser().id });
    expect(res.status).toBe(422);
    expect(res.body.errors.ownerId).toEqual(['Unknown field']);
  });

  it('when the body is not JSON, returns 415; malformed JSON, 400', async () => {
    const user = makeUser();
    const text = await as(ctx, user).post('/__name__').set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    const broken = await as(ctx, user).post('/__name__').set('Content-Type', 'application/json').send('{"title":');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('malformed-json');
  });

  it('when a __item__ is changed, returns 200 with the change and a later updatedAt', async () => {
    const user = makeUser();
    const created = await create__Item__(ctx, user, { body: 'before' });
    const res = await as(ctx, user).patch(`/__name__/${created.id}`).send({ body: 'after' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, title: created.title, body: 'after' });
    expect(res.body.updatedAt >= created.updatedAt).toBe(true);
  });

  it('when a change sends no field, returns 422', async () => {
    const user = makeUser();
    const created = await create__Item__(ctx, user);
    expect((await as(ctx, user).patch(`/__name__/${created.id}`).send({})).status).toBe(422);
  });

  it('when a __item__ is deleted, returns 204 and then 404', async () => {
    const user = makeUser();
    const created = await create__Item__(ctx, user);
    expect((await as(ctx, user).delete(`/__name__/${created.id}`)).status).toBe(204);
    const again = await as(ctx, user).get(`/__name__/${created.id}`);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('__item__-not-found');
  });

  it("when another user's __item__ is read, changed or deleted, returns 404 and leaves it as it was", async () => {
    const owner = makeUser('owner');
    const other = makeUser('other');
    const created = await create__Item__(ctx, owner, { body: 'mine' });
    for (const res of [
      await as(ctx, other).get(`/__name__/${created.id}`),
      await as(ctx, other).patch(`/__name__/${created.id}`).send({ body: 'theirs' }),
      await as(ctx, other).delete(`/__name__/${created.id}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('__item__-not-found');
    }
    expect((await as(ctx, owner).get(`/__name__/${created.id}`)).body.body).toBe('mine');
  });

  it('when the id is not a uuid, returns 422 with errors.id', async () => {
    const res = await as(ctx, makeUser()).get('/__name__/not-a-uuid');
    expect(res.status).toBe(422);
    expect(res.body.errors.id).toBeDefined();
  });

  it('when there is no token, or an expired one, returns 401 with WWW-Authenticate', async () => {
    const none = await request(ctx.app).get('/__name__');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const expired = await request(ctx.app)
      .get('/__name__')
      .set('Authorization', `Bearer ${tokenFor({ expiresIn: -10 })}`);
    expect(expired.status).toBe(401);
  });
});

describe('__name__ list', () => {
  it('pages through only your own __name__, newest first, without skipping or repeating one', async () => {
    const user = makeUser();
    const other = makeUser('other');
    await create__Item__(ctx, other);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create__Item__(ctx, user)).id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await as(ctx, user)
        .get('/__name__')
        .query({ limit: 2, ...(cursor === null ? {} : { cursor }) });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((item: { id: string }) => item.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('when a __item__ is created between two pages, the next page neither skips nor repeats', async () => {
    const user = makeUser();
    const first = await create__Item__(ctx, user);
    const second = await create__Item__(ctx, user);
    const page1 = await as(ctx, user).get('/__name__').query({ limit: 1 });
    expect(page1.body.items[0].id).toBe(second.id);
    await create__Item__(ctx, user);
    const page2 = await as(ctx, user).get('/__name__').query({ limit: 1, cursor: page1.body.nextCursor });
    expect(page2.body.items.map((item: { id: string }) => item.id)).toEqual([first.id]);
  });

  it('when the cursor is forged or garbage, returns 422 invalid-cursor, never 500', async () => {
    const user = makeUser();
    const forged = Buffer.from(JSON.stringify({ v: "'; DROP TABLE x; --", id: 1 })).toString('base64url');
    for (const cursor of ['garbage', forged]) {
      const res = await as(ctx, user).get('/__name__').query({ cursor });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid-cursor');
      expect(res.body.errors.cursor).toBeDefined();
    }
  });

  it('when limit is out of range, returns 422 with errors.limit', async () => {
    const res = await as(ctx, makeUser()).get('/__name__').query({ limit: 101 });
    expect(res.status).toBe(422);
    expect(res.body.errors.limit).toBeDefined();
  });
});

describe('service endpoints', () => {
  it('serves /healthz, /readyz and the OpenAPI document with every __name__ route', async () => {
    expect((await request(ctx.app).get('/healthz')).status).toBe(200);
    expect((await request(ctx.app).get('/readyz')).status).toBe(200);
    const doc = await request(ctx.app).get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(['/__name__', '/__name__/{id}']);
  });
});
