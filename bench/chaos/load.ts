// Load for the chaos tool: steady, bounded streams of requests whose every answer (or error) lands in a
// timeline with its time, so that a fault's window can be counted afterwards.
import http from 'node:http';
import autocannon from 'autocannon';
import { outcomeOfError, outcomeOfStatus, type LoadEvent } from './report.ts';

export interface StreamSpec {
  /** e.g. `tasks read`. */
  name: string;
  /** Base URL of the service, http://127.0.0.1:PORT. */
  baseUrl: string;
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A body per request (JSON), or none. */
  body?: () => string;
  /** Requests per second over all connections: the load is bounded, whatever the answers' speed. */
  rate: number;
  connections: number;
}

export interface Running {
  stop(): Promise<void>;
}

/** A hanging request counts as a timeout after this long: above the services' own timeouts (6 s at most). */
export const CLIENT_TIMEOUT_SECONDS = 10;

/**
 * One autocannon instance per stream, running until stopped. autocannon keeps its connections alive and
 * reconnects after an error; every answer and every error becomes a LoadEvent.
 */
export function startStream(spec: StreamSpec, events: LoadEvent[]): Running {
  const body = spec.body;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const instance = autocannon(
    {
      url: spec.baseUrl,
      connections: spec.connections,
      overallRate: spec.rate,
      duration: 24 * 3600,
      timeout: CLIENT_TIMEOUT_SECONDS,
      requests: [
        {
          method: spec.method,
          path: spec.path,
          headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...spec.headers },
          ...(body && { setupRequest: (req: autocannon.Request) => ({ ...req, body: body() }) }),
          onResponse: (
            status: number,
            _body: string,
            _context: unknown,
            headers?: Record<string, unknown>,
          ) => {
            const outcome = outcomeOfStatus(status);
            events.push({
              t: Date.now(),
              stream: spec.name,
              outcome,
              status,
              ...(outcome === 'unavailable' && {
                // autocannon keeps the header names as the server wrote them.
                retryAfter: Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'retry-after'),
              }),
            });
          },
        },
      ],
    },
    () => done(),
  );
  // Latency comes with the 'response' event, which fires right after onResponse for the same answer.
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    const last = events.findLast((event) => event.stream === spec.name);
    if (last && last.latencyMs === undefined) last.latencyMs = responseTime;
  });
  instance.on('reqError', (error: NodeJS.ErrnoException) => {
    events.push({ t: Date.now(), stream: spec.name, outcome: outcomeOfError(error) });
  });
  return {
    stop: async () => {
      instance.stop();
      await finished;
    },
  };
}

export function startStreams(specs: readonly StreamSpec[], events: LoadEvent[]): Running {
  const running = specs.map((spec) => startStream(spec, events));
  return { stop: async () => void (await Promise.all(running.map((r) => r.stop()))) };
}

/**
 * Load from ordinary keep-alive clients (Node's http.Agent), for the SIGTERM rows. autocannon writes its
 * next request the moment an answer ends, even one saying `Connection: close`, and reconnects in a tight
 * loop once nothing listens; a real client does neither. Each of `connections` loops sends one request at a
 * time on its own agent (one socket), waiting `pauseMs` between requests; a refused connection (nothing
 * listens: no request was in flight) is recorded as `refused` and retried after a pause.
 */
export function startKeepAliveClients(
  spec: Omit<StreamSpec, 'rate'> & { pauseMs: number },
  events: LoadEvent[],
): Running {
  let stopped = false;
  const url = new URL(spec.path, spec.baseUrl);
  const loops = Array.from({ length: spec.connections }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    while (!stopped) {
      const started = Date.now();
      const event = await new Promise<LoadEvent>((resolve) => {
        const body = spec.body?.();
        const req = http.request(
          url,
          {
            method: spec.method,
            agent,
            headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...spec.headers },
            timeout: CLIENT_TIMEOUT_SECONDS * 1000,
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              const outcome = outcomeOfStatus(status);
              resolve({
                t: Date.now(),
                stream: spec.name,
                outcome,
                status,
                latencyMs: Date.now() - started,
                ...(outcome === 'unavailable' && { retryAfter: res.headers['retry-after'] !== undefined }),
              });
            });
            res.on('error', (error) =>
              resolve({ t: Date.now(), stream: spec.name, outcome: outcomeOfError(error) }),
            );
          },
        );
        req.on('timeout', () =>
          req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
        );
        req.on('error', (error) =>
          resolve({ t: Date.now(), stream: spec.name, outcome: outcomeOfError(error) }),
        );
        req.end(body);
      });
      events.push(event);
      await new Promise((resolve) => setTimeout(resolve, event.outcome === 'refused' ? 100 : spec.pauseMs));
    }
    agent.destroy();
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
