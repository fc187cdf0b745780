import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '@mini/logger';
import { getInFlightWork } from './in-flight.ts';

export interface StartServerOptions {
  port: number;
  host: string;
  logger: Logger;
  /**
   * How long in-flight requests (and handlers still running for clients that have gone) may take after
   * shutdown starts; then connections are cut and onShutdown runs regardless.
   */
  shutdownTimeoutMs: number;
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

function waitForClose(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

/** Listens, and returns a handle whose close() stops accepting, drains in-flight requests and cleans up. */
export async function startServer(app: Express, options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const server = createServer(app);
  let closing = false;
  // Responses written while shutting down tell keep-alive clients not to reuse the connection.
  server.on('request', (_req, res) => {
    if (closing && !res.headersSent) res.setHeader('Connection', 'close');
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
      logger.info({ timeoutMs: options.shutdownTimeoutMs }, 'shutting down: no new connections');
      const closed = waitForClose(server);
      // Keep-alive connections with no request in flight would otherwise hold close() open.
      server.closeIdleConnections();
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      const deadline = Promise.withResolvers<void>();
      const timer = setTimeout(() => {
        logger.warn('shutdown timeout reached: closing remaining connections');
        server.closeAllConnections();
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
