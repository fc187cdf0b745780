import net from 'node:net';

/** The Redis that tests use: REDIS_URL, else the default local port (docker-compose's, or a machine's). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether the test Redis accepts connections. Redis is optional for the services (without it, a logout
 * reaches other services when access tokens expire), so a learner's `pnpm test` runs the Redis suites only
 * when it answers: `describe.runIf(await redisAvailable())`. In CI a missing Redis is an error, never a
 * silent skip.
 */
export async function redisAvailable(url = TEST_REDIS_URL, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (!reachable && process.env.CI) {
    throw new Error(`Redis is required in CI and does not answer at ${url}`);
  }
  return reachable;
}
