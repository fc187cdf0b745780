import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { TestApp } from './http.ts';
import { tokenFor, uniqueSuffix, type TokenOptions } from './tokens.ts';

export interface TestUser {
  id: string;
  username: string;
  displayName: string | null;
  /** A real access token for this user, signed with the test key (see testAuth). */
  token: string;
}

/**
 * A user as the auth service would know them, with a real signed access token: for the services that only
 * verify tokens. `name` starts the username, which a unique suffix ends.
 */
export function testUser(name = 'user', options: Omit<TokenOptions, 'sub' | 'username'> = {}): TestUser {
  const id = randomUUID();
  const username = `${name}_${uniqueSuffix()}`;
  return {
    id,
    username,
    displayName: `${name} ${username.slice(-4)}`,
    token: tokenFor({ ...options, sub: id, username }),
  };
}

/** supertest on `app` with the user's `Authorization: Bearer` on each request. */
export function asUser(app: TestApp, user: { token: string }) {
  const bearer = `Bearer ${user.token}`;
  return {
    get: (url: string) => request(app).get(url).set('Authorization', bearer),
    post: (url: string) => request(app).post(url).set('Authorization', bearer),
    put: (url: string) => request(app).put(url).set('Authorization', bearer),
    patch: (url: string) => request(app).patch(url).set('Authorization', bearer),
    delete: (url: string) => request(app).delete(url).set('Authorization', bearer),
  };
}
