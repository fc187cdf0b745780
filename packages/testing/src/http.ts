import request from 'supertest';

export type TestApp = Parameters<typeof request>[0];

/** supertest on an app that never listens on a port of its own. */
export function api(app: TestApp): ReturnType<typeof request> {
  return request(app);
}

/** Like api(app), with `Authorization: Bearer <token>` on every request. */
export function authed(app: TestApp, token: string): ReturnType<typeof request.agent> {
  return request.agent(app).set('Authorization', `Bearer ${token}`);
}
