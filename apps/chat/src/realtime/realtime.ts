import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import {
  createTokenVerifier,
  verifierOptionsFromConfig,
  type AccessTokenClaims,
  type RedisRevocationCheck,
} from '@mini/auth';
import { AppError } from '@mini/http';
import type { Logger } from '@mini/logger';
import type { Config } from '../config.ts';
import type { Database } from '../db.ts';
import { createMembersService } from '../members/members.service.ts';
import { toMessageDto } from '../messages/messages.schemas.ts';
import { createMessagesService } from '../messages/messages.service.ts';
import { createStore } from '../repositories.ts';
import type { Actor } from '../shared/actor.ts';
import { userRoom, type RoomEventsHub } from './room-events.ts';
import { readPayload, roomPayload, sendPayload, type ErrorAck } from './realtime.schemas.ts';

export interface RealtimeDeps {
  config: Config;
  db: Database;
  logger: Logger;
  events: RoomEventsHub;
  revocationList?: Pick<RedisRevocationCheck, 'isRevoked'> | undefined;
}

interface SocketData {
  actor: Actor;
  /** When the handshake's token expires (ms since the epoch). */
  expiresAt: number;
}

type Ack = (answer: unknown) => void;

/** An event refused by the socket layer itself (limits); the ack carries its code. */
class EventRefused extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Presence goes to every room the user is a member of; with no room, nobody needs it. */
async function announcePresence(
  io: Server,
  roomIdsOf: (userId: string) => Promise<string[]>,
  userId: string,
  status: 'online' | 'offline',
) {
  const roomIds = await roomIdsOf(userId);
  if (roomIds.length > 0) io.to(roomIds).emit('presence', { userId, status });
}

/**
 * Several chat processes behind one address: socket.io's Redis streams adapter carries each emit, room change
 * and fetchSockets to the other processes. Streams rather than pub/sub: a process that loses Redis for a
 * moment reads on from where it was and misses nothing.
 */
function shareThroughRedis(io: Server, config: Config, logger: Logger): Redis {
  // No command timeout here (unlike the revocation check): the adapter's reads block on the stream.
  const redis = new Redis(config.REDIS_URL as string, { maxRetriesPerRequest: null });
  let failing = false;
  redis.on('error', (err: Error) => {
    if (!failing) logger.warn({ err }, 'Redis unreachable: events reach only the sockets of this process');
    failing = true;
  });
  redis.on('ready', () => {
    if (failing) logger.info('Redis reachable again: events reach the other chat processes');
    failing = false;
  });
  const prefix = config.SOCKET_REDIS_PREFIX;
  io.adapter(
    createAdapter(redis, {
      streamName: `${prefix}:stream`,
      channelPrefix: `${prefix}:channel`,
      sessionKeyPrefix: `${prefix}:session:`,
    }),
  );
  return redis;
}

/** A connect error the client sees as `err.message`, with `err.data.code`. */
function connectError(code: string, message: string): Error {
  return Object.assign(new Error(message), { data: { code } });
}

/**
 * socket.io on the service's own http.Server (same port as the REST API). The access token comes in the
 * handshake (`auth: { token }`) and is checked like a REST request's; a socket then receives the events
 * of the rooms it joined with room:join, which checks membership first.
 */
export function attachRealtime(server: HttpServer, deps: RealtimeDeps) {
  const { logger, events, revocationList } = deps;
  const verifier = createTokenVerifier(verifierOptionsFromConfig(deps.config));
  const store = createStore(deps.db);
  const members = createMembersService(store, events);
  const messages = createMessagesService(store, events);
  const { config } = deps;
  const io = new Server<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>(
    server,
    // A packet bigger than this closes the socket (socket.io's rule); a message body is at most 4 000
    // characters, which JSON escapes to at most 24 000 bytes.
    { serveClient: false, maxHttpBufferSize: 64 * 1024 },
  );
  const redis =
    config.REDIS_URL === undefined ? undefined : shareThroughRedis(io as unknown as Server, config, logger);
  /** Users whose last socket closed, going offline unless one comes back within PRESENCE_GRACE_MS. */
  const goingOffline = new Map<string, NodeJS.Timeout>();
  const roomIdsOf = (userId: string) => store.repos.members.roomIdsOf(userId);
  const presence = (userId: string, status: 'online' | 'offline') =>
    announcePresence(io as unknown as Server, roomIdsOf, userId, status).catch((err: unknown) =>
      logger.warn({ err, userId }, 'presence could not be announced'),
    );
  events.attach(io as unknown as Server);

  io.use(async (socket, next) => {
    const token: unknown = socket.handshake.auth?.token;
    if (typeof token !== 'string' || token.length === 0) {
      return next(connectError('unauthorized', 'Send the access token as auth: { token }'));
    }
    let claims: AccessTokenClaims;
    try {
      claims = await verifier.verify(token);
    } catch {
      return next(connectError('unauthorized', 'The access token is not valid'));
    }
    if (revocationList && (await revocationList.isRevoked(claims))) {
      return next(connectError('unauthorized', 'The session has been revoked'));
    }
    socket.data.actor = { id: claims.sub };
    socket.data.expiresAt = claims.exp * 1000;
    next();
  });

  /** Runs one client event: its payload validated, its errors turned into an error ack (never a crash). */
  function on<S extends z.ZodType>(
    socket: Socket,
    name: string,
    schema: S,
    handle: (payload: z.output<S>, actor: Actor) => Promise<unknown>,
  ) {
    socket.on(name, async (raw: unknown, ack?: unknown) => {
      const reply: Ack = typeof ack === 'function' ? (ack as Ack) : () => {};
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(payload)').join(', ');
        return reply({
          ok: false,
          error: { code: 'validation-failed', message: `Invalid ${name} payload: ${fields}` },
        } satisfies ErrorAck);
      }
      try {
        reply(await handle(parsed.data, (socket.data as SocketData).actor));
      } catch (err) {
        if (err instanceof AppError || err instanceof EventRefused) {
          return reply({ ok: false, error: { code: err.code, message: err.message } } satisfies ErrorAck);
        }
        logger.error({ err, event: name }, 'socket event failed');
        reply({ ok: false, error: { code: 'internal', message: 'Something went wrong' } } satisfies ErrorAck);
      }
    });
  }

  io.on('connection', (socket) => {
    const { actor } = socket.data;
    void socket.join(userRoom(actor.id));
    // Cut when the token expires: a socket must not outlive the token it was opened with. Set here, once
    // connected: a disconnect during the handshake (a token within the verifier's clock leeway) is lost.
    const expiry = setTimeout(() => socket.disconnect(true), Math.max(0, socket.data.expiresAt - Date.now()));
    expiry.unref();
    socket.once('disconnect', () => clearTimeout(expiry));
    // Online with the first socket; a socket back within the grace period means the user never went away.
    const pending = goingOffline.get(actor.id);
    if (pending) {
      clearTimeout(pending);
      goingOffline.delete(actor.id);
    } else {
      void io
        .in(userRoom(actor.id))
        .fetchSockets()
        .then((sockets) => {
          if (sockets.length === 1) return presence(actor.id, 'online');
        });
    }
    socket.once('disconnect', () => {
      // One check per user: the last socket to close restarts the grace period.
      clearTimeout(goingOffline.get(actor.id));
      const timer = setTimeout(() => {
        goingOffline.delete(actor.id);
        void io
          .in(userRoom(actor.id))
          .fetchSockets()
          .then((sockets) => {
            if (sockets.length === 0) return presence(actor.id, 'offline');
          });
      }, config.PRESENCE_GRACE_MS);
      timer.unref();
      goingOffline.set(actor.id, timer);
    });

    // Fixed windows of 10 s: simple, and enough to stop one socket from flooding a room.
    let sendWindow = { startedAt: 0, count: 0 };
    const lastTyping = new Map<string, number>();
    /** Rooms joined through room:join (a socket is also in its own room and its user's). */
    const joinedRooms = () => socket.rooms.size - 2;

    on(socket, 'room:join', roomPayload, async ({ roomId }) => {
      if (!socket.rooms.has(roomId) && joinedRooms() >= config.SOCKET_MAX_ROOMS) {
        throw new EventRefused(
          'too-many-rooms',
          `A socket may join at most ${config.SOCKET_MAX_ROOMS} rooms.`,
        );
      }
      // Joins a public room first when needed; a private room is room-not-found to a non-member.
      await members.join(actor, roomId);
      await socket.join(roomId);
      return { ok: true };
    });

    on(socket, 'room:leave', roomPayload, async ({ roomId }) => {
      await socket.leave(roomId);
      return { ok: true };
    });

    on(socket, 'typing', roomPayload, async ({ roomId }) => {
      if (!socket.rooms.has(roomId)) throw new EventRefused('not-joined', 'Join the room (room:join) first.');
      const now = Date.now();
      // Throttled, not refused: a client may send typing on every key press.
      if (now - (lastTyping.get(roomId) ?? 0) >= config.TYPING_THROTTLE_MS) {
        lastTyping.set(roomId, now);
        socket.to(roomId).emit('typing', { roomId, userId: actor.id });
      }
      return { ok: true };
    });

    on(socket, 'read', readPayload, async ({ roomId, messageId }) => {
      const state = await messages.markRead(actor, roomId, messageId);
      return { ok: true, unreadCount: state.unreadCount };
    });

    on(socket, 'message:send', sendPayload, async ({ roomId, ...input }) => {
      const now = Date.now();
      if (now - sendWindow.startedAt >= 10_000) sendWindow = { startedAt: now, count: 0 };
      if (++sendWindow.count > config.SOCKET_SENDS_PER_10S) {
        throw new EventRefused(
          'rate-limited',
          `At most ${config.SOCKET_SENDS_PER_10S} messages per 10 seconds per connection; retry later.`,
        );
      }
      const { message } = await messages.send(actor, roomId, input);
      return { ok: true, message: toMessageDto(message) };
    });
  });

  return {
    io,
    close: async () => {
      for (const timer of goingOffline.values()) clearTimeout(timer);
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}
