import { UnauthorizedError, NotFoundError } from '@mini/http';
import type { Logger } from '@mini/logger';
import type { Revocations } from '../revocation/revocation-relay.ts';
import { hashOpaqueToken, newOpaqueToken } from '../security/opaque-tokens.ts';
import type { AccessTokenIssuer } from '../tokens/access-tokens.ts';
import type { UserRecord, UsersRepository } from '../users/users.repository.ts';
import type { Store } from '../repositories.ts';
import type { RevokeReason, SessionRecord } from './sessions.repository.ts';

export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface SessionsServiceDeps {
  /** The sessions and the revocation outbox, and the transactions that write both. */
  store: Store;
  users: UsersRepository;
  issuer: AccessTokenIssuer;
  /** Ending a session queues it for the other services (in its transaction); this publishes the queue. */
  revocations: Revocations;
  logger: Logger;
  refreshTokenTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  /** Active sessions one user may have; a sign-in beyond it ends the least recently used. */
  maxSessionsPerUser: number;
}

export function invalidRefreshToken(): UnauthorizedError {
  // One answer for unknown, spent, expired and revoked: the client's only move is to sign in again.
  return new UnauthorizedError('The refresh token is invalid or has expired. Sign in again.', {
    code: 'invalid-refresh-token',
  });
}

export function sessionNotFound(): NotFoundError {
  return new NotFoundError('No such session.', { code: 'session-not-found' });
}

const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

/**
 * Ending sessions, and telling the other services: all the command-line tools need (they sign no tokens).
 * The sessions service below is built on it.
 *
 * Every ended session is queued in the revocation outbox in the transaction that ends it; the relay
 * publishes the queue to Redis. So ending a session never waits for Redis, and a Redis outage delays
 * the other services' hearing of it instead of losing it.
 */
export function createSessionEnder(deps: {
  store: Pick<Store, 'transaction'>;
  revocations: Pick<Revocations, 'nudge'>;
}) {
  const { store, revocations } = deps;

  return {
    async endOne(sessionId: string, reason: RevokeReason, ownerId?: string): Promise<boolean> {
      const ended = await store.transaction(async (tx) => {
        const done = await tx.sessions.end(sessionId, reason, ownerId);
        if (done) await tx.revocationOutbox.enqueue([sessionId]);
        return done;
      });
      if (ended) revocations.nudge();
      return ended;
    },

    async endAllOfUser(userId: string, reason: RevokeReason, exceptSessionId?: string): Promise<string[]> {
      const ended = await store.transaction(async (tx) => {
        const ids = await tx.sessions.endAllOfUser(userId, reason, exceptSessionId);
        await tx.revocationOutbox.enqueue(ids);
        return ids;
      });
      if (ended.length > 0) revocations.nudge();
      return ended;
    },
  };
}

export type SessionEnder = ReturnType<typeof createSessionEnder>;

export function createSessionsService(deps: SessionsServiceDeps) {
  const { store, users, issuer, revocations, logger } = deps;
  const { sessions } = store.repos;
  const { endOne, endAllOfUser } = createSessionEnder(deps);

  return {
    endAllOfUser,

    /** Starts a session (a sign-in on one device) and hands out its first token pair. */
    async start(user: UserRecord, client: ClientInfo): Promise<TokenPair> {
      const now = new Date();
      const refreshToken = newOpaqueToken();
      const expiresAt = addSeconds(now, deps.sessionMaxAgeSeconds);
      const session = await sessions.create({
        userId: user.id,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        ip: client.ip,
        expiresAt,
        refreshTokenHash: hashOpaqueToken(refreshToken),
        refreshTokenExpiresAt: addSeconds(now, deps.refreshTokenTtlSeconds),
      });
      // The cap: sessions left behind by devices that never log out would otherwise pile up forever.
      const ended = await sessions.revokeBeyondLimit(user.id, deps.maxSessionsPerUser);
      if (ended.length > 0) revocations.nudge();
      const access = issuer.issue(user, session);
      return { ...access, refreshToken, tokenType: 'Bearer' };
    },

    /**
     * Rotation: every refresh spends the presented token and returns a new one. A spent token coming back
     * means two parties hold the same session (the legitimate client and a thief, in some order), and we
     * cannot tell which is which: the whole session ends, and both must sign in again.
     */
    async refresh(refreshToken: string): Promise<TokenPair> {
      const presented = await sessions.findRefreshToken(hashOpaqueToken(refreshToken));
      if (!presented) throw invalidRefreshToken();
      const { session } = presented;
      const now = new Date();

      if (session.revokedAt) throw invalidRefreshToken();
      if (presented.spentAt) {
        await reuseDetected(session);
        throw invalidRefreshToken();
      }
      if (presented.expiresAt <= now || session.expiresAt <= now) throw invalidRefreshToken();

      const user = await users.findById(session.userId);
      if (!user || user.disabledAt) {
        await endOne(session.id, 'account-disabled');
        throw invalidRefreshToken();
      }

      const next = newOpaqueToken();
      const idleEnd = addSeconds(now, deps.refreshTokenTtlSeconds);
      // Spends the presented token and stores its successor, atomically: of two requests racing with the
      // same token exactly one spends it; the other is told it was already spent, as a stolen one would be.
      const rotated = await store.transaction(async (tx) => {
        if (!(await tx.sessions.spendRefreshToken(presented.id, now))) return false;
        await tx.sessions.addRefreshToken(
          session.id,
          {
            tokenHash: hashOpaqueToken(next),
            // The absolute lifetime caps every successor.
            expiresAt: idleEnd < session.expiresAt ? idleEnd : session.expiresAt,
          },
          now,
        );
        return true;
      });
      if (!rotated) {
        await reuseDetected(session);
        throw invalidRefreshToken();
      }
      const access = issuer.issue(user, session);
      return { ...access, refreshToken: next, tokenType: 'Bearer' };
    },

    /** Ends the session the refresh token belongs to. Unknown or already-ended tokens are fine: logout is idempotent. */
    async logout(refreshToken: string): Promise<void> {
      const presented = await sessions.findRefreshToken(hashOpaqueToken(refreshToken));
      if (presented && !presented.session.revokedAt) await endOne(presented.session.id, 'logout');
    },

    list(userId: string): Promise<SessionRecord[]> {
      return sessions.listActive(userId);
    },

    /** Another user's session id is 404, exactly like an unknown one: ids of others' sessions stay secret. */
    async endOwn(userId: string, sessionId: string): Promise<void> {
      const ended = await endOne(sessionId, 'ended-by-user', userId);
      if (!ended) throw sessionNotFound();
    },

    /** For requireAuth on this service's own routes: the database is the source of truth here. */
    async isRevoked(sessionId: string): Promise<boolean> {
      return !(await sessions.isActive(sessionId));
    },
  };

  async function reuseDetected(session: SessionRecord): Promise<void> {
    logger.warn(
      { securityEvent: 'refresh-token-reuse', sessionId: session.id, userId: session.userId },
      'a spent refresh token was presented again; the whole session is revoked',
    );
    await endOne(session.id, 'refresh-token-reuse');
  }
}

export type SessionsService = ReturnType<typeof createSessionsService>;
