import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import jwt from 'jsonwebtoken';
import { uniqueSuffix } from '@mini/testing';
import { buildTestApp, newUserInput } from './helpers.ts';

const ctx = buildTestApp();
afterAll(() => ctx.close());

describe('POST /auth/register', () => {
  it('when the input is valid, returns 201 with the user and never the password hash', async () => {
    const input = newUserInput();
    const res = await request(ctx.app).post('/auth/register').send(input);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: input.email,
      username: input.username,
      displayName: null,
      role: 'user',
      emailVerified: false,
    });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|\$2[aby]\$/);
  });

  it('when the email has spaces and capitals, it is trimmed and a different-case duplicate is 409 email-taken', async () => {
    const suffix = uniqueSuffix();
    const first = await request(ctx.app)
      .post('/auth/register')
      .send(newUserInput({ email: `  Mixed.Case-${suffix}@Example.com ` }));
    expect(first.status).toBe(201);
    expect(first.body.email).toBe(`Mixed.Case-${suffix}@Example.com`);

    const again = await request(ctx.app)
      .post('/auth/register')
      .send(newUserInput({ email: `mixed.case-${suffix}@example.COM` }));
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body.code).toBe('email-taken');
  });

  it('when the username is taken in another case, returns 409 username-taken', async () => {
    const input = newUserInput();
    await request(ctx.app).post('/auth/register').send(input).expect(201);
    const res = await request(ctx.app)
      .post('/auth/register')
      .send(newUserInput({ username: input.username.toUpperCase() }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('username-taken');
  });

  it('when the password is shorter than 8 characters, returns 422 with errors.password', async () => {
    const res = await request(ctx.app)
      .post('/auth/register')
      .send(newUserInput({ password: 'short7!' }));
    expect(res.status).toBe(422);
    expect(res.body.errors.password[0]).toMatch(/at least 8/);
  });

  it('when the password is longer than 64 characters, returns 422; 64 characters of emoji are accepted', async () => {
    const tooLong = await request(ctx.app)
      .post('/auth/register')
      .send(newUserInput({ password: 'x'.repeat(65) }));
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors.password[0]).toMatch(/at most 64/);

    const emoji = await request(ctx.app)
      .post('/auth/register')
      .send(newUserInput({ password: '🔑🔒🚪🏠'.repeat(16) }));
    expect(emoji.status).toBe(201);
  });

  it('when the password is a common one, returns 422 saying so, whatever its case', async () => {
    const res = await request(ctx.app)
      .post('/auth/register')
      .send(newUserInput({ password: 'BaseBall1' }));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('weak-password');
    expect(res.body.errors.password[0]).toMatch(/most commonly used/);
  });

  it('needs no composition rules: a lower-case passphrase is accepted', async () => {
    const res = await request(ctx.app)
      .post('/auth/register')
      .send(newUserInput({ password: 'purple elephants dance quietly' }));
    expect(res.status).toBe(201);
  });

  it('when an extra field such as role is sent, returns 422 and creates nothing', async () => {
    const input = newUserInput();
    const res = await request(ctx.app)
      .post('/auth/register')
      .send({ ...input, role: 'admin' });
    expect(res.status).toBe(422);
    expect(res.body.errors.role).toEqual(['Unknown field']);
    const login = await request(ctx.app)
      .post('/auth/login')
      .send({ email: input.email, password: input.password });
    expect(login.status).toBe(401);
  });

  it('when the email or username is malformed, returns 422 naming both fields', async () => {
    const res = await request(ctx.app)
      .post('/auth/register')
      .send({ email: 'not-an-email', username: 'no spaces allowed', password: 'a long passphrase' });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'username']);
  });
});

describe('POST /auth/login', () => {
  it('when the credentials are right, returns an ES256 access token with the documented claims and a refresh token', async () => {
    const input = newUserInput();
    const registered = await request(ctx.app).post('/auth/register').send(input);
    const res = await request(ctx.app)
      .post('/auth/login')
      .send({ email: input.email.toUpperCase(), password: input.password });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(typeof res.body.refreshToken).toBe('string');
    expect(res.body.refreshToken.length).toBeGreaterThanOrEqual(43);

    const decoded = jwt.decode(res.body.accessToken, { complete: true });
    expect(decoded?.header).toMatchObject({ alg: 'ES256', kid: ctx.keys.signing.kid });
    const claims = decoded?.payload as jwt.JwtPayload;
    expect(claims).toMatchObject({
      sub: registered.body.id,
      role: 'user',
      username: input.username,
      iss: 'http://localhost:3001',
      aud: 'mini-backends',
    });
    expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
  });

  it('when the password is wrong, returns 401 invalid-credentials with a WWW-Authenticate challenge', async () => {
    const input = newUserInput();
    await request(ctx.app).post('/auth/register').send(input);
    const res = await request(ctx.app)
      .post('/auth/login')
      .send({ email: input.email, password: 'not the password' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid-credentials');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers an unknown email and a wrong password with the same body', async () => {
    const input = newUserInput();
    await request(ctx.app).post('/auth/register').send(input);
    const wrong = await request(ctx.app)
      .post('/auth/login')
      .send({ email: input.email, password: 'not the password' });
    const unknown = await request(ctx.app)
      .post('/auth/login')
      .send({ email: `nobody-${uniqueSuffix()}@example.com`, password: 'not the password' });
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(unknown.status).toBe(wrong.status);
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
  });

  it('the same long password works every time, and one differing only after 72 bytes does not', async () => {
    const long = 'é'.repeat(40) + 'tail-one';
    const input = newUserInput({ password: long });
    await request(ctx.app).post('/auth/register').send(input).expect(201);
    // 'é' is 2 bytes: both passwords share their first 80 bytes, past bcrypt's 72-byte limit.
    const sameStart = 'é'.repeat(40) + 'tail-two';
    expect(
      (await request(ctx.app).post('/auth/login').send({ email: input.email, password: sameStart })).status,
    ).toBe(401);
    expect(
      (await request(ctx.app).post('/auth/login').send({ email: input.email, password: long })).status,
    ).toBe(200);
  });
});
