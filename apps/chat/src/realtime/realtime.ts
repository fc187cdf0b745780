import type { Server as HttpServer } from 'node:http';
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
import { roomPayload, sendPayload, type ErrorAck } from './realtime.schemas.ts';

export interface RealtimeDeps {
  config: Config;
  db: Database;
  logger: Logger;
  events: RoomEventsHub;
  revocationList?: Pick<RedisRevocationCheck, 'isRevoked'> | undefined;
}

interface SocketData {
  actor: Actor;
}

type Ack = (answer: unknown) => void;

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
  const io = new Server<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>(
    server,
    { serveClient: false },
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
    // Cut when the token expires: a socket must not outlive the token it was opened with.
    const expiresIn = claims.exp * 1000 - Date.now();
    const timer = setTimeout(() => socket.disconnect(true), expiresIn);
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
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
        if (err instanceof AppError) {
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

    on(socket, 'room:join', roomPayload, async ({ roomId }) => {
      // Joins a public room first when needed; a private room is room-not-found to a non-member.
      await members.join(actor, roomId);
      await socket.join(roomId);
      return { ok: true };
    });

    on(socket, 'room:leave', roomPayload, async ({ roomId }) => {
      await socket.leave(roomId);
      return { ok: true };
    });

    on(socket, 'message:send', sendPayload, async ({ roomId, ...input }) => {
      const { message } = await messages.send(actor, roomId, input);
      return { ok: true, message: toMessageDto(message) };
    });
  });

  return {
    io,
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}
