// The chaos tool's pure logic: how an answer (or its absence) is classified, what a window of answers adds
// up to, how long a service took to recover, and the table printed at the end. No I/O here, so that the
// verdicts can be unit-tested (report.test.ts) without starting anything.

/** What became of one request. */
export type Outcome =
  | 'ok' // 2xx or 3xx
  | 'client-error' // 4xx
  | 'unavailable' // 503: the answer the services give while a dependency is down
  | 'server-error' // any other 5xx: a defect
  | 'reset' // the connection was reset or cut under a request (ECONNRESET, EPIPE, socket hang up)
  | 'timeout' // no answer within the client's timeout: a hanging request
  | 'refused' // nothing listened (ECONNREFUSED): no request was in flight
  | 'error'; // anything else

export interface LoadEvent {
  /** When the answer (or the error) arrived, ms since the epoch. */
  t: number;
  /** Which load stream sent the request, e.g. `tasks read`. */
  stream: string;
  outcome: Outcome;
  status?: number;
  /** For 503: whether the answer carried Retry-After. */
  retryAfter?: boolean;
  latencyMs?: number;
}

export function outcomeOfStatus(status: number): Outcome {
  if (status < 400) return 'ok';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'server-error';
  return 'client-error';
}

export function outcomeOfError(error: { code?: string; message?: string }): Outcome {
  if (error.message === 'request timed out' || error.code === 'ETIMEDOUT') return 'timeout';
  if (error.code === 'ECONNREFUSED') return 'refused';
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.message === 'socket hang up') {
    return 'reset';
  }
  return 'error';
}

export interface Counts {
  requests: number;
  ok: number;
  reset: number;
  timeout: number;
  /** 5xx other than 503. */
  serverError: number;
  unavailable: number;
  /** 503 answers without Retry-After. */
  unavailableWithoutRetryAfter: number;
  clientError: number;
  refused: number;
  otherError: number;
}

/** Adds up the events with from <= t < to (all of them by default). */
export function countEvents(events: readonly LoadEvent[], from = -Infinity, to = Infinity): Counts {
  const counts: Counts = {
    requests: 0,
    ok: 0,
    reset: 0,
    timeout: 0,
    serverError: 0,
    unavailable: 0,
    unavailableWithoutRetryAfter: 0,
    clientError: 0,
    refused: 0,
    otherError: 0,
  };
  for (const event of events) {
    if (event.t < from || event.t >= to) continue;
    counts.requests++;
    switch (event.outcome) {
      case 'ok':
        counts.ok++;
        break;
      case 'reset':
        counts.reset++;
        break;
      case 'timeout':
        counts.timeout++;
        break;
      case 'server-error':
        counts.serverError++;
        break;
      case 'unavailable':
        counts.unavailable++;
        if (event.retryAfter === false) counts.unavailableWithoutRetryAfter++;
        break;
      case 'client-error':
        counts.clientError++;
        break;
      case 'refused':
        counts.refused++;
        break;
      default:
        counts.otherError++;
    }
  }
  return counts;
}

/**
 * How long after the fault ended every stream was answering well again: per stream, the first good answer
 * after both the fault's end and that stream's last failure, measured from the fault's end; the worst
 * stream counts. A stream that fails on after its recovery so pushes its recovery later, so a service that
 * answers once and fails again is not counted as recovered. null: some stream never recovered (or had no
 * answer at all after the fault).
 */
export function recoveryMs(events: readonly LoadEvent[], faultEnd: number): number | null {
  const byStream = recoveryByStream(events, faultEnd);
  const values = Object.values(byStream);
  if (values.length === 0 || values.includes(null)) return null;
  return Math.max(...(values as number[]));
}

/** recoveryMs per stream. */
export function recoveryByStream(
  events: readonly LoadEvent[],
  faultEnd: number,
): Record<string, number | null> {
  const streams = new Map<string, LoadEvent[]>();
  for (const event of events) {
    if (event.t < faultEnd) continue;
    const list = streams.get(event.stream) ?? [];
    list.push(event);
    streams.set(event.stream, list);
  }
  const result: Record<string, number | null> = {};
  for (const [stream, list] of streams) {
    list.sort((a, b) => a.t - b.t);
    let lastFailure = -1;
    list.forEach((event, index) => {
      if (event.outcome !== 'ok') lastFailure = index;
    });
    const firstGood = list[lastFailure + 1];
    result[stream] = firstGood ? firstGood.t - faultEnd : null;
  }
  return result;
}

/** The failures from `from` on, as [ms after from, stream, outcome or status], the first `limit` of them. */
export function failureLog(
  events: readonly LoadEvent[],
  from: number,
  limit = 40,
): [number, string, string][] {
  return events
    .filter((event) => event.t >= from && event.outcome !== 'ok')
    .sort((a, b) => a.t - b.t)
    .slice(0, limit)
    .map((event) => [
      event.t - from,
      event.stream,
      event.status === undefined ? event.outcome : String(event.status),
    ]);
}

/** The p-th percentile (nearest rank) of a list of numbers; NaN when it is empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/**
 * Whether a figure measured after each of several equal rounds keeps growing: it rises round after round
 * and the last is more than `tolerance` (a fraction) above the first. A figure that settles, or wobbles,
 * does not.
 */
export function keepsGrowing(values: readonly number[], tolerance = 0.1): boolean {
  if (values.length < 2) return false;
  for (let i = 1; i < values.length; i++) {
    if ((values[i] as number) <= (values[i - 1] as number)) return false;
  }
  return (values.at(-1) as number) > (values[0] as number) * (1 + tolerance);
}

/** Collects the reasons a row fails: each check that does not hold adds its message. */
export class Verdict {
  readonly failures: string[] = [];
  check(holds: boolean, message: string): this {
    if (!holds) this.failures.push(message);
    return this;
  }
  get pass(): boolean {
    return this.failures.length === 0;
  }
}

export interface Row {
  fault: string;
  /** What the fault is supposed to do to the services, in a few words. */
  expectation: string;
  counts: Counts;
  /** Process exits the tool did not ask for (plus, for SIGTERM rows, the one it asked for, with its code). */
  exits: number;
  recoveryMs: number | null;
  pass: boolean;
  /** Why it failed, and figures worth reading. */
  notes: string[];
  details: Record<string, unknown>;
}

export function formatTable(rows: readonly Row[]): string {
  const header = [
    'fault',
    'requests',
    'reset',
    'timeout',
    '5xx',
    '503',
    'other',
    'refused',
    'exits',
    'recovery',
    'result',
  ];
  const body = rows.map((row) => [
    row.fault,
    String(row.counts.requests),
    String(row.counts.reset),
    String(row.counts.timeout),
    String(row.counts.serverError),
    String(row.counts.unavailable),
    String(row.counts.clientError + row.counts.otherError),
    String(row.counts.refused),
    String(row.exits),
    row.recoveryMs === null ? '-' : `${(row.recoveryMs / 1000).toFixed(2)} s`,
    row.pass ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...body.map((cells) => cells[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  for (const row of rows) {
    if (row.notes.length > 0)
      lines.push('', `${row.fault}: ${row.expectation}`, ...row.notes.map((n) => `  - ${n}`));
  }
  return lines.join('\n');
}
