import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { poolOptionsFromConfig } from '@mini/db';
import { asUser, defineTestApp, testAuth, uniqueSuffix, type TestUser } from '@mini/testing';
import { createApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';
import { connectDatabase } from '../src/db.ts';
import { attachRealtime } from '../src/realtime/realtime.ts';
import { createRoomEvents, type RoomEvents } from '../src/realtime/room-events.ts';

export const chatTestApp = defineTestApp({
  configSchema,
  env: {
    AUTH_ISSUER: testAuth.issuer,
    AUTH_AUDIENCE: testAuth.audience,
    AUTH_PUBLIC_KEY: testAuth.publicKey,
  },
  database: (config, logger) => connectDatabase(config.DATABASE_URL, logger, poolOptionsFromConfig(config)),
  createApp: ({ config, db, logger }, options: { events?: RoomEvents }) => ({
    app: createApp({ config, db, logger, ...(options.events ? { events: options.events } : {}) }),
  }),
});

/**
 * The whole service as server.ts runs it, listening on an ephemeral port: the REST app and socket.io on one
 * http.Server, sharing their room events. `url` is where clients connect.
 */
export async function startChatServer(overrides: Record<string, string> = {}) {
  const events = createRoomEvents();
  const built = chatTestApp.build(overrides, { events });
  const server = createServer(built.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const realtime = attachRealtime(server, {
    config: built.config,
    db: built.db,
    logger: built.logger,
    events,
  });
  const { port } = server.address() as AddressInfo;
  const sockets: ClientSocket[] = [];
  return {
    ...built,
    url: `http://127.0.0.1:${port}`,
    /** A connected socket.io client of `user` (its connect error rejects). */
    connect(user: { token: string } | null): Promise<ClientSocket> {
      const socket = ioClient(`http://127.0.0.1:${port}`, {
        auth: user ? { token: user.token } : {},
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      return new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', reject);
      });
    },
    close: async () => {
      for (const socket of sockets) socket.disconnect();
      await realtime.close();
      await built.close();
    },
  };
}

export type ChatServer = Awaited<ReturnType<typeof startChatServer>>;

/** The next `event` the socket receives, or a rejection after `ms`. */
export function nextEvent<T = Record<string, unknown>>(
  socket: ClientSocket,
  event: string,
  ms = 2_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Every `event` the socket receives from now on (to assert that none came). */
export function collect(socket: ClientSocket, event: string): unknown[] {
  const seen: unknown[] = [];
  socket.on(event, (payload: unknown) => seen.push(payload));
  return seen;
}

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
