import { z } from 'zod';
import { httpUrl, wholeNumber } from '@mini/config';
import { createServiceClient, type ServiceClient } from '@mini/http';
import type { RequestHandler } from 'express';
import { requireAuth } from './middleware.ts';
import { createTokenVerifier, type AccessTokenClaims, type TokenVerifierOptions } from './verifier.ts';

/**
 * The auth variables a verifying service reads; merge with `baseConfigSchema.extend(authEnvSchema.shape)`
 * and add `.superRefine(requireAuthKeySource)` to fail at start-up when neither key source is set.
 */
export const authEnvSchema = z.object({
  AUTH_ISSUER: z.string().min(1).default('http://localhost:3001'),
  AUTH_AUDIENCE: z.string().min(1).default('mini-backends'),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  AUTH_PUBLIC_KEY: z
    .string()
    // One-line env files cannot hold a multi-line PEM, so `\n` escapes are accepted.
    .transform((value) => value.replace(/\\n/g, '\n'))
    .refine((value) => value.includes('-----BEGIN PUBLIC KEY-----'), {
      error: 'expected a PEM public key (-----BEGIN PUBLIC KEY-----)',
    })
    .optional(),
});

export type AuthEnv = z.output<typeof authEnvSchema>;

const KEY_SOURCE_MESSAGE = 'required unless AUTH_PUBLIC_KEY is set';

/** For `.superRefine(...)`: one of AUTH_JWKS_URL and AUTH_PUBLIC_KEY must be set. */
export function requireAuthKeySource(config: Partial<AuthEnv>, ctx: z.RefinementCtx): void {
  if (config.AUTH_JWKS_URL === undefined && config.AUTH_PUBLIC_KEY === undefined) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: KEY_SOURCE_MESSAGE });
  }
}

/** createTokenVerifier options from the validated config. */
export function verifierOptionsFromConfig(config: AuthEnv): TokenVerifierOptions {
  if (config.AUTH_JWKS_URL === undefined && config.AUTH_PUBLIC_KEY === undefined) {
    throw new Error(`AUTH_JWKS_URL: ${KEY_SOURCE_MESSAGE}`);
  }
  return {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    ...(config.AUTH_JWKS_URL === undefined ? {} : { jwksUrl: config.AUTH_JWKS_URL }),
    ...(config.AUTH_PUBLIC_KEY === undefined ? {} : { staticKeys: [{ publicKey: config.AUTH_PUBLIC_KEY }] }),
  };
}

/**
 * For services that call the auth service's public API (user look-ups): where it is and how long a call
 * may take. Merge like authEnvSchema: `.extend(authApiEnvSchema.shape)`.
 */
export const authApiEnvSchema = z.object({
  AUTH_URL: httpUrl().default('http://localhost:3001'),
  AUTH_TIMEOUT_MS: wholeNumber(2_000, { min: 1, max: 60_000, unit: 'milliseconds' }),
});

export type AuthApiEnv = z.output<typeof authApiEnvSchema>;

/** The client for the auth service's API (@mini/http's createServiceClient) from the validated config. */
export function authApiClientFromConfig(config: AuthApiEnv): ServiceClient {
  return createServiceClient({ name: 'auth', baseUrl: config.AUTH_URL, timeoutMs: config.AUTH_TIMEOUT_MS });
}

/**
 * The requireAuth of a service that trusts the auth service's tokens: a verifier built from the AUTH_*
 * variables, and the revocation list (the Redis check of `connectRevocationList`) when there is one.
 */
export function requireAuthFromConfig(
  config: AuthEnv,
  revocationList?: { isRevoked(claims: AccessTokenClaims): Promise<boolean> },
): RequestHandler {
  return requireAuth(
    createTokenVerifier(verifierOptionsFromConfig(config)),
    revocationList ? { isRevoked: (claims) => revocationList.isRevoked(claims) } : {},
  );
}
