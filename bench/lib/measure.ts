import autocannon from 'autocannon';

export interface Measurement {
  name: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export interface MeasureOptions {
  url: string;
  connections?: number;
  warmupSeconds?: number;
  durationSeconds?: number;
  headers?: Record<string, string>;
  /** Called for each request: vary path and headers so the run is not one hot cached row. */
  next?: () => { path: string; headers?: Record<string, string> };
}

function run(options: MeasureOptions, seconds: number): Promise<autocannon.Result> {
  const next = options.next;
  return autocannon({
    url: options.url,
    connections: options.connections ?? 32,
    duration: seconds,
    headers: options.headers ?? {},
    ...(next && {
      requests: [
        {
          setupRequest: (req: autocannon.Request) => {
            const { path, headers } = next();
            return { ...req, path, headers: { ...req.headers, ...headers } };
          },
        },
      ],
    }),
  });
}

/** A warm-up run (JIT, pools, caches), then the measured run at the same concurrency. */
export async function measure(name: string, options: MeasureOptions): Promise<Measurement> {
  await run(options, options.warmupSeconds ?? 3);
  const result = await run(options, options.durationSeconds ?? 10);
  const m: Measurement = {
    name,
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  console.log(
    `${name.padEnd(34)} ${String(m.requestsPerSec).padStart(7)} req/s   p50 ${String(m.p50Ms).padStart(4)} ms   p99 ${String(m.p99Ms).padStart(4)} ms   errors ${m.errors}   non-2xx ${m.non2xx}`,
  );
  return m;
}
