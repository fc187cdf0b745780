import net from 'node:net';

export type TcpProxyMode = 'forward' | 'refuse' | 'blackhole';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1 (chosen by the system at start, kept across `refuse()`). */
  readonly port: number;
  /** `scheme://127.0.0.1:<port>`, e.g. `tcpProxyUrl('redis')`. */
  url(scheme: string): string;
  readonly mode: TcpProxyMode;
  /** Connections are forwarded to the target again (listening again after `refuse()`). */
  forward(): Promise<void>;
  /** A dependency that is down: the port is closed (connections refused) and open connections are cut. */
  refuse(): Promise<void>;
  /**
   * A dependency that hangs (a frozen process, a vanished host): connections are accepted and read but
   * never answered, and open ones go silent too (they stay silent even after `forward()`, as a connection
   * to a host that died does: the client has to notice and reconnect).
   */
  blackhole(): void;
  /** What clients sent while nothing answered, in order (to check that a circuit breaker stops asking). */
  swallowed(): Buffer;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
}

/**
 * A TCP proxy in front of a real dependency (Redis, Postgres) that a test can take down and bring back, so
 * that outages are tested for real without touching the shared server: refused, silent, back again.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: TcpProxyMode = 'forward';
  const swallowedChunks: Buffer[] = [];
  const pairs = new Set<Pair>();

  function swallow(pair: Pair): void {
    pair.client.removeAllListeners('data');
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.upstream?.destroy();
    delete pair.upstream;
    pair.client.on('data', (chunk: Buffer) => {
      swallowedChunks.push(chunk);
    });
  }

  const server = net.createServer((client) => {
    const pair: Pair = { client };
    pairs.add(pair);
    client.on('error', () => {});
    client.on('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode !== 'forward') {
      swallow(pair);
      return;
    }
    const upstream = net.connect(target);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      // Cut only while forwarding: a blackholed client stays connected to nothing.
      if (pair.upstream === upstream) client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream?.destroy();
      }
    });

  return {
    port,
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    swallowed: () => Buffer.concat(swallowedChunks),
    async forward() {
      mode = 'forward';
      if (!server.listening) await listen(port);
    },
    async refuse() {
      mode = 'refuse';
      await stopListening();
    },
    blackhole() {
      mode = 'blackhole';
      for (const pair of pairs) swallow(pair);
    },
    close: stopListening,
  };
}
