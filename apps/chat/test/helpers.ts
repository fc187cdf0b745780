import { poolOptionsFromConfig } from '@mini/db';
import { asUser, defineTestApp, testAuth, uniqueSuffix, type TestUser } from '@mini/testing';
import { createApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';

export const chatTestApp = defineTestApp({
  configSchema,
  env: {
    AUTH_ISSUER: testAuth.issuer,
    AUTH_AUDIENCE: testAuth.audience,
    AUTH_PUBLIC_KEY: testAuth.publicKey,
  },
  database: (config, logger) => connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  createApp: ({ config, db, logger }) => ({ app: createApp({ config, db, logger }) }),
});

type App = ReturnType<typeof chatTestApp.build>['app'];

export interface RoomDto {
  id: string;
  name: string | null;
  visibility: 'public' | 'private' | 'direct';
  role: 'owner' | 'admin' | 'member' | null;
}

export async function createRoom(
  app: App,
  owner: TestUser,
  overrides: { name?: string; visibility?: 'public' | 'private' } = {},
): Promise<RoomDto> {
  const res = await asUser(app, owner)
    .post('/rooms')
    .send({ name: `room ${uniqueSuffix()}`, ...overrides });
  if (res.status !== 201) throw new Error(`createRoom: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as RoomDto;
}

/** `user` into the room as `role`, invited by `by` (an owner of it). */
export async function invite(
  app: App,
  by: TestUser,
  roomId: string,
  user: TestUser,
  role: 'owner' | 'admin' | 'member' = 'member',
) {
  const res = await asUser(app, by).post(`/rooms/${roomId}/members`).send({ userId: user.id, role });
  if (res.status !== 201) throw new Error(`invite: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { userId: string; role: string };
}
