import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServiceClient, type ServiceClient } from '@mini/http';
import { buildTestApp, newUserInput } from './helpers.ts';

/**
 * Another service (tasks, blog) calling auth on behalf of its own client passes the client's address on
 * in X-Forwarded-For. Auth counts it (per-IP limits, the session's recorded address) only when it trusts
 * the caller: TRUST_PROXY names the calling services (loopback in development).
 */
async function listening(overrides: Record<string, string>) {
  const ctx = buildTestApp(overrides);
  const server: Server = createServer(ctx.app);
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client = createServiceClient({
    name: 'auth',
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    timeoutMs: 5_000,
  });
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ctx.close();
  };
  return { ctx, client, close };
}

const tokens = z.object({ accessToken: z.string(), refreshToken: z.string() });
const sessions = z.object({ items: z.array(z.object({ ip: z.string().nullable(), current: z.boolean() })) });

/** Registers and signs in through `client` on behalf of a client at `clientIp`; the session's recorded address. */
async function signInFrom(client: ServiceClient, clientIp: string): Promise<string | null | undefined> {
  const input = newUserInput();
  const forwarded = { clientIp };
  await client.request({
    method: 'POST',
    path: '/auth/register',
    body: input,
    schema: z.unknown(),
    forwarded,
  });
  const pair = await client.request({
    method: 'POST',
    path: '/auth/login',
    body: { email: input.email, password: input.password },
    schema: tokens,
    forwarded,
  });
  const list = await client.request({
    path: '/auth/sessions',
    schema: sessions,
    forwarded: { authorization: `Bearer ${pair.accessToken}` },
  });
  return list.items.find((session) => session.current)?.ip;
}

describe('the end client address, forwarded by a calling service', () => {
  let trusting: Awaited<ReturnType<typeof listening>>;
  let untrusting: Awaited<ReturnType<typeof listening>>;
  beforeAll(async () => {
    trusting = await listening({ TRUST_PROXY: 'loopback' });
    untrusting = await listening({ TRUST_PROXY: 'false' });
  });
  afterAll(async () => {
    await trusting?.close();
    await untrusting?.close();
  });

  it('when auth trusts the caller (TRUST_PROXY=loopback), it records the end client address', async () => {
    expect(await signInFrom(trusting.client, '203.0.113.7')).toBe('203.0.113.7');
  });

  it("when auth does not trust the caller, it records the caller's address and ignores the header", async () => {
    expect(await signInFrom(untrusting.client, '203.0.113.7')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('when auth trusts the caller, its per-IP login limit counts each end client, not the caller', async () => {
    const limited = await listening({ TRUST_PROXY: 'loopback', LOGIN_MAX_FAILURES_PER_IP: '2' });
    try {
      const attempt = (clientIp: string) => {
        const { email, password } = newUserInput();
        return limited.client
          .request({
            method: 'POST',
            path: '/auth/login',
            body: { email, password },
            schema: z.unknown(),
            forwarded: { clientIp },
          })
          .then(
            () => 200,
            (err: { status: number }) => err.status,
          );
      };
      expect([await attempt('198.51.100.1'), await attempt('198.51.100.1')]).toEqual([401, 401]);
      expect(await attempt('198.51.100.1')).toBe(429);
      // Another client behind the same calling service is not locked out with the first.
      expect(await attempt('198.51.100.2')).toBe(401);
    } finally {
      await limited.close();
    }
  });
});
