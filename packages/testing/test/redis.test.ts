import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redisAvailable } from '../src/redis.ts';

function listen(): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.end());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('redisAvailable', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('when something listens at the URL, answers true', async () => {
    const server = await listen();
    const { port } = server.address() as net.AddressInfo;
    try {
      expect(await redisAvailable(`redis://127.0.0.1:${port}`)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('when nothing listens and this is not CI, answers false', async () => {
    vi.stubEnv('CI', '');
    const server = await listen();
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    expect(await redisAvailable(`redis://127.0.0.1:${port}`)).toBe(false);
  });

  it('when nothing listens in CI, throws instead of letting the Redis suites skip', async () => {
    vi.stubEnv('CI', 'true');
    const server = await listen();
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    await expect(redisAvailable(`redis://127.0.0.1:${port}`)).rejects.toThrow(/required in CI/);
  });
});
