import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { uniqueSuffix } from '@mini/testing';
import { asRealWorld, buildTestAppWithAuth, registerUser, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

const newUser = (overrides: Record<string, unknown> = {}) => {
  const suffix = uniqueSuffix();
  return { username: `u_${suffix}`, email: `u_${suffix}@example.com`, password: 'password123', ...overrides };
};

describe('POST /api/users', () => {
  it("when the account is new, returns 201 with the user and auth's access token, which then works as `Token`", async () => {
    const input = newUser();
    const res = await request(ctx.app).post('/api/users').send({ user: input });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: {
        email: input.email,
        username: input.username,
        token: expect.any(String),
        bio: null,
        image: null,
      },
    });
    const me = await asRealWorld(ctx.app, res.body.user).get('/api/user');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: input.email, username: input.username });
  });

  it('when the email is taken, returns 409 with errors.email in the RealWorld envelope', async () => {
    const taken = await registerUser(ctx.app);
    const res = await request(ctx.app)
      .post('/api/users')
      .send({ user: newUser({ email: taken.email }) });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ errors: { email: ['is already registered'] } });
  });

  it('when the username is taken, returns 409 with errors.username', async () => {
    const taken = await registerUser(ctx.app);
    const res = await request(ctx.app)
      .post('/api/users')
      .send({ user: newUser({ username: taken.username }) });
    expect(res.status).toBe(409);
    expect(res.body.errors.username).toBeDefined();
  });

  it.each([
    ['missing', { username: undefined }, 'username'],
    ['empty', { username: '' }, 'username'],
    ['null', { email: null }, 'email'],
    ['blank', { email: '   ' }, 'email'],
  ])(
    'when a field is %s, returns 422 "can\'t be blank" under its name, without calling auth',
    async (_what, change, field) => {
      const before = ctx.auth.requests.length;
      const res = await request(ctx.app)
        .post('/api/users')
        .send({ user: newUser(change) });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ errors: { [field]: ["can't be blank"] } });
      expect(ctx.auth.requests.length).toBe(before);
    },
  );

  it('when the password has fewer than 8 characters, returns 422 with errors.password', async () => {
    const res = await request(ctx.app)
      .post('/api/users')
      .send({ user: newUser({ password: 'short12' }) });
    expect(res.status).toBe(422);
    expect(res.body.errors.password).toEqual(['is too short (minimum is 8 characters)']);
  });

  it('when the body has no user object, returns 422 with errors.user', async () => {
    const res = await request(ctx.app).post('/api/users').send(newUser());
    expect(res.status).toBe(422);
    expect(res.body.errors.user).toEqual(["can't be blank"]);
  });

  it('when a field is unknown (even __proto__), returns 422 naming it, never stored', async () => {
    const body = `{"user":{"__proto__":{"admin":true},"username":"u_${uniqueSuffix()}","email":"x_${uniqueSuffix()}@example.com","password":"password123"}}`;
    const res = await request(ctx.app).post('/api/users').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(422);
    expect(Object.hasOwn(res.body.errors, '__proto__')).toBe(true);
  });

  it('when a field holds NUL, returns 422 under that field', async () => {
    const body = '{"user":{"username":"a\\u0000b","email":"n@example.com","password":"password123"}}';
    const res = await request(ctx.app).post('/api/users').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(422);
    expect(res.body.errors.username).toBeDefined();
  });

  it('when the body is not JSON, returns 400 in the envelope (errors.body)', async () => {
    const res = await request(ctx.app)
      .post('/api/users')
      .set('Content-Type', 'application/json')
      .send('{"user":');
    expect(res.status).toBe(400);
    expect(res.body.errors.body).toHaveLength(1);
  });

  it('when the body is not application/json, returns 415 in the envelope', async () => {
    const res = await request(ctx.app).post('/api/users').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(415);
    expect(res.body.errors.body).toHaveLength(1);
  });

  it("passes the client's address and the request id on to auth, and no Authorization of its own", async () => {
    await request(ctx.app)
      .post('/api/users')
      .set('X-Request-Id', 'blog-register-1')
      .send({ user: newUser() });
    const sent = ctx.auth.requests.find((r) => r.headers['x-request-id'] === 'blog-register-1');
    expect(sent?.url).toBe('/auth/register');
    expect(sent?.headers['x-forwarded-for']).toMatch(/127\.0\.0\.1/);
    expect(sent?.headers.authorization).toBeUndefined();
  });
});

describe('POST /api/users/login', () => {
  it('when the credentials are right, returns 200 with the user and a fresh token', async () => {
    const user = await registerUser(ctx.app);
    const res = await request(ctx.app)
      .post('/api/users/login')
      .send({ user: { email: user.email, password: user.password } });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({
      email: user.email,
      username: user.username,
      token: expect.any(String),
      bio: null,
      image: null,
    });
  });

  it('when the password is wrong, returns 401 with errors.credentials', async () => {
    const user = await registerUser(ctx.app);
    const res = await request(ctx.app)
      .post('/api/users/login')
      .send({ user: { email: user.email, password: 'not-the-password' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: { credentials: ['The email or password is incorrect.'] } });
  });

  it('when the email is missing, returns 422 with errors.email', async () => {
    const res = await request(ctx.app)
      .post('/api/users/login')
      .send({ user: { password: 'password123' } });
    expect(res.status).toBe(422);
    expect(res.body.errors.email).toEqual(["can't be blank"]);
  });
});

describe('GET /api/user', () => {
  it('when no token is sent, returns 401 with errors.token and a WWW-Authenticate challenge', async () => {
    const res = await request(ctx.app).get('/api/user');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body.errors.token).toHaveLength(1);
  });

  it('when the token is garbage, returns 401 in the envelope', async () => {
    const res = await request(ctx.app).get('/api/user').set('Authorization', 'Token not.a.jwt');
    expect(res.status).toBe(401);
    expect(res.body.errors.token).toHaveLength(1);
  });

  it('answers with the token the client sent, and accepts Bearer too', async () => {
    const user = await registerUser(ctx.app);
    const res = await request(ctx.app).get('/api/user').set('Authorization', `Bearer ${user.token}`);
    expect(res.status).toBe(200);
    expect(res.body.user.token).toBe(user.token);
  });

  it('when auth cannot answer, returns 503 with Retry-After in the envelope', async () => {
    const down = await buildTestAppWithAuth();
    try {
      const user = await registerUser(down.app);
      down.auth.mode = 'down';
      const res = await asRealWorld(down.app, user).get('/api/user');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.body.errors.server).toEqual(['The auth service is not reachable; try again later.']);
    } finally {
      await down.close();
    }
  });
});

describe('PUT /api/user', () => {
  it('when bio and image are given, keeps them and answers them; GET shows them', async () => {
    const user = await registerUser(ctx.app);
    const res = await asRealWorld(ctx.app, user)
      .put('/api/user')
      .send({ user: { bio: 'I like to skateboard', image: 'https://example.com/me.png' } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ bio: 'I like to skateboard', image: 'https://example.com/me.png' });
    const me = await asRealWorld(ctx.app, user).get('/api/user');
    expect(me.body.user).toMatchObject({ bio: 'I like to skateboard', image: 'https://example.com/me.png' });
  });

  it('when bio is an empty string and image null, both are stored as null', async () => {
    const user = await registerUser(ctx.app);
    await asRealWorld(ctx.app, user)
      .put('/api/user')
      .send({ user: { bio: 'x', image: 'https://example.com/me.png' } });
    const res = await asRealWorld(ctx.app, user)
      .put('/api/user')
      .send({ user: { bio: '', image: null } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ bio: null, image: null });
  });

  it('when only the bio changes, the image is kept', async () => {
    const user = await registerUser(ctx.app);
    await asRealWorld(ctx.app, user)
      .put('/api/user')
      .send({ user: { image: 'https://example.com/a.png' } });
    const res = await asRealWorld(ctx.app, user)
      .put('/api/user')
      .send({ user: { bio: 'new' } });
    expect(res.body.user).toMatchObject({ bio: 'new', image: 'https://example.com/a.png' });
  });

  it('changes email and username in auth, and the answer and the next GET show them', async () => {
    const user = await registerUser(ctx.app);
    const suffix = uniqueSuffix();
    const changes = { email: `new_${suffix}@example.com`, username: `new_${suffix}` };
    const res = await asRealWorld(ctx.app, user).put('/api/user').send({ user: changes });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ ...changes, token: user.token });
    const sent = ctx.auth.requests.findLast((r) => r.method === 'PATCH');
    expect(sent?.body).toEqual(changes);
    expect(sent?.headers.authorization).toBe(`Bearer ${user.token}`);
  });

  it('changes the password in auth with the new one only; the same token keeps working', async () => {
    const user = await registerUser(ctx.app);
    const res = await asRealWorld(ctx.app, user)
      .put('/api/user')
      .send({ user: { password: 'bonjour1' } });
    expect(res.status).toBe(200);
    expect(res.body.user.token).toBe(user.token);
    expect(ctx.auth.passwordOf(user.email)).toBe('bonjour1');
    const login = await request(ctx.app)
      .post('/api/users/login')
      .send({ user: { email: user.email, password: 'bonjour1' } });
    expect(login.status).toBe(200);
  });

  it('when the username is taken, returns 422 with errors.username (RealWorld has no 409 here)', async () => {
    const other = await registerUser(ctx.app);
    const user = await registerUser(ctx.app);
    const res = await asRealWorld(ctx.app, user)
      .put('/api/user')
      .send({ user: { username: other.username } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors: { username: ['is taken'] } });
  });

  it.each([
    ['an empty username', { username: '' }, 'username', "can't be blank"],
    ['a null email', { email: null }, 'email', "can't be blank"],
    ['a null password', { password: null }, 'password', "can't be blank"],
    ['a short password', { password: 'abc' }, 'password', 'is too short (minimum is 8 characters)'],
    ['nothing to change', {}, 'user', 'must change at least one field'],
  ])(
    'when given %s, returns 422 under that field and changes nothing',
    async (_what, change, field, message) => {
      const user = await registerUser(ctx.app);
      const before = ctx.auth.requests.length;
      const res = await asRealWorld(ctx.app, user).put('/api/user').send({ user: change });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ errors: { [field]: [message] } });
      expect(ctx.auth.requests.length).toBe(before);
    },
  );

  it('when a field is unknown (role), returns 422 naming it', async () => {
    const user = await registerUser(ctx.app);
    const res = await asRealWorld(ctx.app, user)
      .put('/api/user')
      .send({ user: { role: 'admin' } });
    expect(res.status).toBe(422);
    expect(res.body.errors.role).toBeDefined();
  });
});

describe('the /api envelope and the rest', () => {
  it('a path under /api that no route serves is a 404 in the RealWorld envelope', async () => {
    const res = await request(ctx.app).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.errors.resource).toHaveLength(1);
  });

  it('outside /api the kit answers problem+json', async () => {
    const res = await request(ctx.app).get('/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('route-not-found');
  });

  it('the OpenAPI document declares the /api errors as GenericErrorModel and the Token scheme', async () => {
    const res = await request(ctx.app).get('/openapi.json');
    const put = res.body.paths['/api/user'].put;
    expect(put.responses['422'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/GenericErrorModel',
    });
    expect(put.security).toContainEqual({ Token: [] });
  });
});
