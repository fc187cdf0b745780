import type express from 'express';
import { createTokenVerifier, requireAuth, requireRole } from '@mini/auth';
import { createServiceApp } from '@mini/http';
import type { Logger } from '@mini/logger';
import { createApiRegistry } from '@mini/validation';
import { adminRoutes } from './admin/admin.routes.ts';
import { createAdminService } from './admin/admin.service.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { createAuthService } from './auth/auth.service.ts';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import { outboxRoutes } from './dev/outbox.routes.ts';
import { jwksRoutes } from './keys/jwks.routes.ts';
import { loadKeyStoreFromConfig } from './keys/keys-from-config.ts';
import type { KeyStore } from './keys/key-store.ts';
import { DevOutbox, mailerFromConfig, type Mailer } from './mail/mailer.ts';
import { createPasswordHasher, type PasswordHasher } from './passwords/password-hasher.ts';
import { peppersFromConfig } from './passwords/pepper.ts';
import { createStore } from './repositories.ts';
import { noRevocations, type Revocations } from './revocation/revocation-relay.ts';
import { sessionsRoutes } from './sessions/sessions.routes.ts';
import { createSessionsService } from './sessions/sessions.service.ts';
import { createLoginThrottle } from './throttle/login-throttle.ts';
import { createMailRateLimit } from './throttle/mail-rate-limit.ts';
import { createAccessTokenIssuer } from './tokens/access-tokens.ts';
import { usersRoutes } from './users/users.routes.ts';
import { createAccountCreator } from './users/account-creation.ts';
import { createPasswordPolicy } from './passwords/password-policy.ts';
import { createUsersService } from './users/users.service.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** Default: from config (JWT_KEYS_DIR / JWT_PRIVATE_KEY; generated once in development). */
  keys?: KeyStore;
  /**
   * Default: SMTP when SMTP_URL is set, otherwise a DevOutbox when DEV_OUTBOX is on and a mailer that logs
   * only recipient and subject when it is off (tests pass their own outbox to read the mail).
   */
  mailer?: Mailer;
  /**
   * Publishes the revocation outbox to Redis (server.ts passes its relay when REDIS_URL is set). Default:
   * none; ended sessions are still queued, and the hourly purge drops them once their tokens have expired.
   */
  revocations?: Revocations;
  /** Default: bcrypt at BCRYPT_COST behind the hashing gate (tests pass one that counts bcrypt's calls). */
  hasher?: PasswordHasher;
}

// Builds the Express app; never listens (server.ts does, tests use supertest on it).
export function createApp(deps: AppDeps): express.Express {
  const { config, db, logger } = deps;
  const keys = deps.keys ?? loadKeyStoreFromConfig(config);
  const mailer = deps.mailer ?? mailerFromConfig(config, logger);
  const revocations = deps.revocations ?? noRevocations;

  const store = createStore(db);
  const { users } = store.repos;
  const hasher =
    deps.hasher ??
    createPasswordHasher(
      { cost: config.BCRYPT_COST, peppers: peppersFromConfig(config) },
      {
        concurrency: config.PASSWORD_HASH_CONCURRENCY,
        queueLimit: config.PASSWORD_HASH_QUEUE_LIMIT,
        queueTimeoutMs: config.PASSWORD_HASH_QUEUE_TIMEOUT_MS,
      },
    );
  const issuer = createAccessTokenIssuer({
    keys,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  const sessions = createSessionsService({
    store,
    users,
    issuer,
    revocations,
    logger,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
    maxSessionsPerUser: config.MAX_SESSIONS_PER_USER,
  });
  const throttle = createLoginThrottle(store.repos.loginThrottle, {
    account: {
      maxFailures: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
      lockBaseSeconds: config.LOGIN_LOCK_BASE_SECONDS,
      lockMaxSeconds: config.LOGIN_LOCK_MAX_SECONDS,
    },
    ip: {
      maxFailures: config.LOGIN_MAX_FAILURES_PER_IP,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
      lockBaseSeconds: config.LOGIN_LOCK_BASE_SECONDS,
      lockMaxSeconds: config.LOGIN_LOCK_MAX_SECONDS,
    },
  });
  const { oneTimeTokens } = store.repos;
  const policy = createPasswordPolicy({ commonCheck: config.PASSWORD_COMMON_CHECK === 'on' });
  const mailLimit = createMailRateLimit(store.repos.rateLimits, {
    perEmail: config.MAIL_LIMIT_PER_EMAIL,
    perIp: config.MAIL_LIMIT_PER_IP,
    windowSeconds: config.MAIL_LIMIT_WINDOW_SECONDS,
  });
  const auth = createAuthService({
    users,
    accounts: createAccountCreator({ users, hasher, policy }),
    oneTimeTokens,
    store,
    sessions,
    hasher,
    policy,
    throttle,
    mailLimit,
    mailer,
    logger,
    settings: {
      publicAppUrl: config.PUBLIC_APP_URL,
      publicApiUrl: config.PUBLIC_API_URL,
      emailVerificationTtlSeconds: config.EMAIL_VERIFICATION_TTL_SECONDS,
      passwordResetTtlSeconds: config.PASSWORD_RESET_TTL_SECONDS,
      requireEmailVerification: config.REQUIRE_EMAIL_VERIFICATION,
    },
  });

  // This service verifies its own tokens with the same middleware as every other service, from its own
  // public keys, and asks its database (the source of truth) whether the session is still alive.
  const verifier = createTokenVerifier({
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    algorithms: ['ES256'],
    staticKeys: keys.verification.map((key) => ({
      kid: key.kid,
      publicKey: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    })),
  });
  const authenticate = requireAuth(verifier, {
    isRevoked: (claims) =>
      claims.sid === undefined ? Promise.resolve(true) : sessions.isRevoked(claims.sid),
  });

  const api = createApiRegistry({
    title: 'Auth service',
    version: '0.1.0',
    description:
      'Registration, login, sessions, roles and the keys every service trusts. Try the flow: register, ' +
      'login, then "Authorize" with the access token.',
    authenticate,
  });
  // Unauthenticated and full of live tokens: only when explicitly switched on (never in production).
  const devOutbox = config.DEV_OUTBOX && mailer instanceof DevOutbox ? mailer : undefined;

  return createServiceApp({
    name: 'auth',
    config,
    logger,
    // Without its database auth can do nothing: unready. Without Redis, sign-in, refresh and logout all
    // work (logouts wait in the outbox): degraded, still 200, so instances stay in rotation.
    readinessChecks: { database: () => db.ping() },
    ...(deps.revocations ? { optionalChecks: { redis: () => revocations.ping() } } : {}),
    openapi: () => api.document(),
    routes: (app) => {
      app.use(jwksRoutes(api, keys));
      app.use(authRoutes(api, auth, sessions));
      app.use(sessionsRoutes(api, sessions));
      app.use(
        usersRoutes(
          api,
          createUsersService({
            users,
            store,
            sessions,
            hasher,
            policy,
            throttle,
            mailLimit,
            mails: auth,
            settings: { reauthWindowSeconds: config.REAUTH_WINDOW_SECONDS },
          }),
        ),
      );
      app.use(adminRoutes(api, createAdminService({ users, sessions, logger }), requireRole('admin')));
      if (devOutbox) app.use(outboxRoutes(api, devOutbox));
    },
  });
}
