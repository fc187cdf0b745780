import net from 'node:net';

/**
 * What the proxy does with connections:
 * - `forward`: every byte goes through, both ways (a healthy network);
 * - `refuse`: nothing listens any more, a new connection gets ECONNREFUSED (the database is down);
 * - `blackhole`: new connections are accepted but nothing is forwarded either way, and connections already
 *   open fall silent too (a network partition, a failover that left the sockets half-open).
 */
export type TcpProxyMode = 'forward' | 'refuse' | 'blackhole';

export interface TcpProxy {
  /** The port the proxy listens on (kept across `refuse` and back). */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  setMode(mode: TcpProxyMode): Promise<void>;
  /**
   * Existing connections fall silent (bytes are dropped both ways, the sockets stay open) while new ones are
   * forwarded: the connections a pool already holds hang, fresh ones work.
   */
  silenceExisting(): void;
  /** Resets every open connection (the client sees ECONNRESET); the mode is unchanged. */
  resetAll(): void;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  /** What clients sent while nothing answered, in order (to check that a circuit breaker stops asking). */
  swallowed(): Buffer;
  close(): Promise<void>;
}

interface Link {
  client: net.Socket;
  upstream: net.Socket | null;
  silent: boolean;
}

/**
 * A TCP proxy between a service and one of its dependencies, for fault injection in tests: a real socket
 * that can be refused, reset or made silent, which is how a failing database or Redis looks from the service.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: TcpProxyMode = 'forward';
  const links = new Set<Link>();
  const swallowedChunks: Buffer[] = [];

  const server = net.createServer((client) => {
    const link: Link = { client, upstream: null, silent: mode === 'blackhole' };
    links.add(link);
    client.on('error', () => {});
    client.on('close', () => {
      links.delete(link);
      link.upstream?.destroy();
    });
    if (link.silent) {
      client.on('data', (chunk: Buffer) => void swallowedChunks.push(chunk));
      return;
    }
    const upstream = net.connect(target);
    link.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    // Written by hand rather than piped, so that a silenced link can drop bytes while its sockets stay open.
    client.on('data', (chunk: Buffer) => {
      if (link.silent) swallowedChunks.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!link.silent) client.write(chunk);
    });
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));

  await listen(0);
  const port = (server.address() as net.AddressInfo).port;

  const resetAll = () => {
    for (const link of links) {
      link.client.resetAndDestroy();
      link.upstream?.destroy();
    }
    links.clear();
  };

  return {
    port,
    get openConnections() {
      return links.size;
    },
    urlFor(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    async setMode(next) {
      if (next === mode) return;
      if (next === 'refuse') {
        // A closed listener is what makes the kernel answer RST to a SYN: ECONNREFUSED, as for a stopped server.
        const closed = stopListening();
        resetAll();
        await closed;
      } else if (mode === 'refuse') {
        await listen(port);
      }
      if (next === 'blackhole') for (const link of links) link.silent = true;
      mode = next;
    },
    silenceExisting() {
      for (const link of links) link.silent = true;
    },
    resetAll,
    swallowed: () => Buffer.concat(swallowedChunks),
    async close() {
      const closed = mode === 'refuse' ? Promise.resolve() : stopListening();
      resetAll();
      await closed;
    },
  };
}
