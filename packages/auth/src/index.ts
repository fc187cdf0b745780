export {
  createTokenVerifier,
  type AccessTokenClaims,
  type Algorithm,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './verifier.ts';
export {
  currentUser,
  requireAuth,
  requireRole,
  signedInWithin,
  type AuthUser,
  type RequireAuthOptions,
} from './middleware.ts';
export {
  authApiClientFromConfig,
  authApiEnvSchema,
  authEnvSchema,
  requireAuthFromConfig,
  requireAuthKeySource,
  verifierOptionsFromConfig,
  type AuthApiEnv,
  type AuthEnv,
} from './config.ts';
export {
  REVOKED_SESSION_KEY_PREFIX,
  connectRevocationList,
  createRedisRevocationCheck,
  revocationCheckOptionsFromConfig,
  revocationEnvSchema,
  revokedSessionKey,
  type RedisRevocationCheck,
  type RedisRevocationCheckOptions,
  type RevocationEnv,
} from './revocation.ts';
export { boundedRedisOptions, type BoundedRedisOptions } from './redis-options.ts';
