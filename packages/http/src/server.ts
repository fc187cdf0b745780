import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Express } from 'express';
import type { Logger } from '@mini/logger';
import { markShuttingDown } from './app.ts';
import { getInFlightWork } from './in-flight.ts';

/**
 * The HTTP server's timeouts and limits, named as in the base config (@mini/config), so a service passes
 * its config as is. Defaults: the base config's.
 */
export interface ServerLimits {
  /** Time a client has to send the request line and every header; then 408 and the socket is closed. */
  HTTP_HEADERS_TIMEOUT_MS: number;
  /** Time a client has to send the whole request, body included; then 408 and the socket is closed. */
  HTTP_REQUEST_TIMEOUT_MS: number;
  /** How long an idle keep-alive connection stays open for the client's next request. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  /** Largest request line plus headers, in bytes; larger is 431 and the socket is closed. */
  HTTP_MAX_HEADER_SIZE: number;
  /** Headers read per request; any beyond are ignored. */
  HTTP_MAX_HEADERS_COUNT: number;
  /**
   * After shutdown starts, how long a connection may sit idle before it is closed: its client may be
   * sending its next request on it right now, and that request is answered (with `Connection: close`).
   */
  SHUTDOWN_IDLE_GRACE_MS: number;
}

export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  HTTP_HEADERS_TIMEOUT_MS: 10_000,
  HTTP_REQUEST_TIMEOUT_MS: 30_000,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
  HTTP_MAX_HEADER_SIZE: 16_384,
  HTTP_MAX_HEADERS_COUNT: 100,
  SHUTDOWN_IDLE_GRACE_MS: 1_000,
});

export interface StartServerOptions {
  port: number;
  host: string;
  logger: Logger;
  /**
   * How long in-flight requests (and handlers still running for clients that have gone) may take after
   * shutdown starts; then connections are cut and onShutdown runs regardless.
   */
  shutdownTimeoutMs: number;
  /** Timeouts and limits: pass the service's config. Any left out takes its default (DEFAULT_SERVER_LIMITS). */
  limits?: Partial<ServerLimits>;
  /** Runs once the server has closed and request handlers have finished: close database pools, queues ... */
  onShutdown?: () => Promise<void>;
  /** Install SIGTERM/SIGINT handlers that call close() and exit. Default true; tests pass false. */
  handleSignals?: boolean;
}

export interface RunningServer {
  server: Server;
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Graceful shutdown; safe to call more than once (every call gets the same promise). */
  close(): Promise<void>;
}

function pickLimits(given: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_SERVER_LIMITS };
  for (const name of Object.keys(limits) as Array<keyof ServerLimits>) {
    const value = given[name];
    if (value !== undefined) limits[name] = value;
  }
  if (limits.HTTP_HEADERS_TIMEOUT_MS > limits.HTTP_REQUEST_TIMEOUT_MS) {
    throw new RangeError(
      `HTTP_HEADERS_TIMEOUT_MS (${limits.HTTP_HEADERS_TIMEOUT_MS}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${limits.HTTP_REQUEST_TIMEOUT_MS})`,
    );
  }
  return limits;
}

/** Per connection: requests being answered on it, and since when it has had none. */
interface ConnectionState {
  requests: number;
  idleSince: number;
}

/**
 * Listens, and returns a handle whose close() shuts down without dropping a request:
 *
 * 1. `/readyz` answers 503, and every answer from now on (those in flight included, unless their headers
 *    are already out) says `Connection: close`, so no client sends another request on that connection.
 * 2. The listening socket closes at once: no new connections.
 * 3. Open connections still get their requests answered. One is closed by the server only once it has been
 *    idle for SHUTDOWN_IDLE_GRACE_MS: closing a keep-alive connection the moment it goes idle races the
 *    client that is just sending its next request on it, and that request is lost (ECONNRESET).
 * 4. When the last connection is gone and the last tracked handler has finished, onShutdown runs (close
 *    the pool): never while a handler may still query it.
 * After shutdownTimeoutMs, whatever remains is cut and onShutdown runs regardless.
 */
export async function startServer(app: Express, options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const limits = pickLimits(options.limits);
  const connections = new Map<Socket, ConnectionState>();
  const responses = new Set<ServerResponse>();
  let closing = false;

  // One listener for every response, not a closure per request. `close` follows a finished response and
  // an aborted one alike.
  function onResponseClose(this: ServerResponse) {
    responses.delete(this);
    const connection = connections.get(this.req.socket);
    if (connection) {
      connection.requests -= 1;
      connection.idleSince = performance.now();
    }
  }
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const connection = connections.get(req.socket);
    if (connection) connection.requests += 1;
    responses.add(res);
    res.on('close', onResponseClose);
    if (closing) res.setHeader('Connection', 'close');
    app(req, res);
  };
  const server = createServer(
    {
      headersTimeout: limits.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: limits.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeout: limits.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxHeaderSize: limits.HTTP_MAX_HEADER_SIZE,
      // How often Node looks for connections past the headers or request timeout (default 30 s, which
      // would let a slow client hold a socket that much longer than the timeout says).
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1_000, Math.floor(limits.HTTP_HEADERS_TIMEOUT_MS / 4)),
      ),
    },
    handle,
  );
  server.maxHeadersCount = limits.HTTP_MAX_HEADERS_COUNT;
  server.on('connection', (socket) => {
    connections.set(socket, { requests: 0, idleSince: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: options.host }, 'listening');

  const work = getInFlightWork(app);
  let closePromise: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closePromise ??= (async () => {
      closing = true;
      markShuttingDown(app);
      for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
      // net.Server's close(), not http.Server's: since Node 19 the latter also destroys every idle
      // keep-alive connection at once, which is the race described above. This one only stops listening,
      // and its callback runs once the last connection has closed. (http.Server's timer that enforces the
      // headers and request timeouts keeps running meanwhile, as it should; it is unref'd.)
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      logger.info({ timeoutMs: options.shutdownTimeoutMs }, 'shutting down: no new connections');
      const graceMs = limits.SHUTDOWN_IDLE_GRACE_MS;
      const closeIdle = () => {
        const now = performance.now();
        for (const [socket, connection] of connections) {
          if (connection.requests === 0 && now - connection.idleSince >= graceMs) socket.destroy();
        }
      };
      closeIdle();
      const idleSweep = setInterval(closeIdle, Math.max(10, Math.min(100, Math.floor(graceMs / 4))));
      const deadline = Promise.withResolvers<void>();
      const timer = setTimeout(() => {
        logger.warn(
          { connections: connections.size },
          'shutdown timeout reached: closing remaining connections',
        );
        for (const socket of connections.keys()) socket.destroy();
        deadline.resolve();
      }, options.shutdownTimeoutMs);
      try {
        await closed;
        logger.info('server closed');
        // A client that hung up leaves no connection behind, but its handler may still be about to
        // query the pool that onShutdown is going to end.
        if (work && work.count > 0) {
          logger.info({ handlers: work.count }, 'waiting for request handlers to finish');
          await Promise.race([work.drained(), deadline.promise]);
          if (work.count > 0) {
            logger.warn({ handlers: work.count }, 'shutdown timeout reached: handlers still running');
          }
        }
      } finally {
        clearInterval(idleSweep);
        clearTimeout(timer);
      }
      await options.onShutdown?.();
      logger.info('shutdown complete');
    })();
    return closePromise;
  };

  const running: RunningServer = { server, port, close };
  if (options.handleSignals ?? true) installShutdownHandlers(running, logger, options.shutdownTimeoutMs);
  return running;
}

let installed = false;

/**
 * On the first SIGTERM or SIGINT: close() then exit 0 (exit 1 if shutdown failed or hung). Installed at
 * most once per process; later signals are logged and otherwise ignored, because process managers and
 * terminals often send more than one and the shutdown is already bounded by its timeout.
 */
export function installShutdownHandlers(
  running: Pick<RunningServer, 'close'>,
  logger: Logger,
  shutdownTimeoutMs = 10_000,
): void {
  if (installed) return;
  installed = true;
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.info({ signal }, 'already shutting down');
      return;
    }
    shuttingDown = true;
    logger.info({ signal }, 'signal received');
    // Last resort if onShutdown hangs: the process must not outlive its orchestrator's patience.
    setTimeout(() => {
      logger.error('shutdown hung: exiting');
      process.exit(1);
    }, shutdownTimeoutMs + 5000).unref();
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
