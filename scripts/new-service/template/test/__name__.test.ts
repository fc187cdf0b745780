import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { asUser, captureLogs, testUser, tokenFor, useTestApp } from '@mini/testing';
import { __name__TestApp, create__Item__ } from './helpers.ts';

const ctx = useTestApp(() => __name__TestApp.build());

describe('__name__', () => {
  it('when a __item__ is created, returns 201 with it and its Location, and GET returns the same', async () => {
    const user = testUser();
    const res = await asUser(ctx.app, user).post('/__name__').send({ title: '  Groceries ', body: 'Milk' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'Groceries', body: 'Milk' });
    expect(res.headers.location).toBe(`/__name__/${res.body.id}`);

    const got = await asUser(ctx.app, user).get(`/__name__/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('when the body is left out, stores an empty body', async () => {
    const created = await create__Item__(ctx.app, testUser());
    expect(created.body).toBe('');
  });

  it('when the title is missing or blank, returns 422 with errors.title', async () => {
    const user = testUser();
    for (const body of [{}, { title: '   ' }]) {
      const res = await asUser(ctx.app, user).post('/__name__').send(body);
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.title).toBeDefined();
    }
  });

  it('when an unknown field is sent (ownerId), returns 422 and stores nothing of it', async () => {
    const user = testUser();
    const res = await asUser(ctx.app, user).post('/__name__').send({ title: 'x', ownerId: testUser().id });
    expect(res.status).toBe(422);
    expect(res.body.errors.ownerId).toEqual(['Unknown field']);
  });

  it('when the body is not JSON, returns 415; malformed JSON, 400', async () => {
    const user = testUser();
    const text = await asUser(ctx.app, user).post('/__name__').set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    const broken = await asUser(ctx.app, user).post('/__name__').set('Content-Type', 'application/json').send('{"title":');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('malformed-json');
  });

  it('when a __item__ is changed, returns 200 with the change and a later updatedAt', async () => {
    const user = testUser();
    const created = await create__Item__(ctx.app, user, { body: 'before' });
    const res = await asUser(ctx.app, user).patch(`/__name__/${created.id}`).send({ body: 'after' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, title: created.title, body: 'after' });
    expect(res.body.updatedAt >= created.updatedAt).toBe(true);
  });

  it('when a change sends no field, returns 422', async () => {
    const user = testUser();
    const created = await create__Item__(ctx.app, user);
    expect((await asUser(ctx.app, user).patch(`/__name__/${created.id}`).send({})).status).toBe(422);
  });

  it('when a __item__ is deleted, returns 204 and then 404', async () => {
    const user = testUser();
    const created = await create__Item__(ctx.app, user);
    expect((await asUser(ctx.app, user).delete(`/__name__/${created.id}`)).status).toBe(204);
    const again = await asUser(ctx.app, user).get(`/__name__/${created.id}`);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('__item__-not-found');
  });

  it("when another user's __item__ is read, changed or deleted, returns 404 and leaves it as it was", async () => {
    const owner = testUser('owner');
    const other = testUser('other');
    const created = await create__Item__(ctx.app, owner, { body: 'mine' });
    for (const res of [
      await asUser(ctx.app, other).get(`/__name__/${created.id}`),
      await asUser(ctx.app, other).patch(`/__name__/${created.id}`).send({ body: 'theirs' }),
      await asUser(ctx.app, other).delete(`/__name__/${created.id}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('__item__-not-found');
    }
    expect((await asUser(ctx.app, owner).get(`/__name__/${created.id}`)).body.body).toBe('mine');
  });

  it('when the id is not a uuid, returns 422 with errors.id', async () => {
    const res = await asUser(ctx.app, testUser()).get('/__name__/not-a-uuid');
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
    const user = testUser();
    const other = testUser('other');
    await create__Item__(ctx.app, other);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create__Item__(ctx.app, user)).id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await asUser(ctx.app, user)
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
    const user = testUser();
    const first = await create__Item__(ctx.app, user);
    const second = await create__Item__(ctx.app, user);
    const page1 = await asUser(ctx.app, user).get('/__name__').query({ limit: 1 });
    expect(page1.body.items[0].id).toBe(second.id);
    await create__Item__(ctx.app, user);
    const page2 = await asUser(ctx.app, user).get('/__name__').query({ limit: 1, cursor: page1.body.nextCursor });
    expect(page2.body.items.map((item: { id: string }) => item.id)).toEqual([first.id]);
  });

  it('when the cursor is forged or garbage, returns 422 invalid-cursor, never 500', async () => {
    const user = testUser();
    const forged = Buffer.from(JSON.stringify({ l: 'x', v: "'; DROP TABLE x; --", id: 1 })).toString(
      'base64url',
    );
    for (const cursor of ['garbage', forged]) {
      const res = await asUser(ctx.app, user).get('/__name__').query({ cursor });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid-cursor');
      expect(res.body.errors.cursor).toBeDefined();
    }
  });

  it("when another user's cursor is used, returns 422 invalid-cursor: a cursor is bound to its list", async () => {
    const owner = testUser('owner');
    const other = testUser('other');
    for (let i = 0; i < 2; i++) await create__Item__(ctx.app, owner);
    const page = await asUser(ctx.app, owner).get('/__name__').query({ limit: 1 });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const res = await asUser(ctx.app, other).get('/__name__').query({ cursor: page.body.nextCursor });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid-cursor');
  });

  it('when limit is out of range, returns 422 with errors.limit', async () => {
    const res = await asUser(ctx.app, testUser()).get('/__name__').query({ limit: 101 });
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

describe('logs', () => {
  const logs = captureLogs('info');
  const logged = __name__TestApp.build({}, { logger: logs.logger });
  afterAll(() => logged.close());

  it('logs each request with its request id, caller and route, and never the access token', async () => {
    const user = testUser();
    const res = await asUser(logged.app, user).post('/__name__').send({ title: 'Logged' });
    expect(res.status).toBe(201);
    const requestId = res.headers['x-request-id'];
    // The access log is written when the response closes, just after the client has it.
    await expect
      .poll(() => logs.entries().find((entry) => entry.requestId === requestId))
      .toMatchObject({ userId: user.id, method: 'POST', route: '/__name__', status: 201 });
    expect(logs.text()).not.toContain(user.token);
  });
});
