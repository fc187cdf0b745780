import { describe, expect, it } from 'vitest';
import {
  countEvents,
  formatTable,
  keepsGrowing,
  outcomeOfError,
  outcomeOfStatus,
  percentile,
  recoveryByStream,
  recoveryMs,
  Verdict,
  type LoadEvent,
  type Row,
} from './report.ts';

const ok = (t: number, stream = 'read'): LoadEvent => ({ t, stream, outcome: 'ok', status: 200 });
const fail = (t: number, stream = 'read'): LoadEvent => ({
  t,
  stream,
  outcome: 'unavailable',
  status: 503,
  retryAfter: true,
});

describe('classification', () => {
  it('tells a 503 from other 5xx, and keeps 4xx apart', () => {
    expect([200, 204, 304, 401, 413, 500, 502, 503].map(outcomeOfStatus)).toEqual([
      'ok',
      'ok',
      'ok',
      'client-error',
      'client-error',
      'server-error',
      'server-error',
      'unavailable',
    ]);
  });

  it('tells a reset from a timeout and from a refused connection', () => {
    expect(outcomeOfError({ code: 'ECONNRESET' })).toBe('reset');
    expect(outcomeOfError({ code: 'EPIPE' })).toBe('reset');
    expect(outcomeOfError({ message: 'socket hang up' })).toBe('reset');
    expect(outcomeOfError({ message: 'request timed out' })).toBe('timeout');
    expect(outcomeOfError({ code: 'ECONNREFUSED' })).toBe('refused');
    expect(outcomeOfError({ code: 'EHOSTUNREACH' })).toBe('error');
  });
});

describe('countEvents', () => {
  it('counts each kind within the window only, and 503s without Retry-After', () => {
    const events: LoadEvent[] = [
      ok(0),
      ok(10),
      fail(20),
      { t: 30, stream: 'read', outcome: 'unavailable', status: 503, retryAfter: false },
      { t: 40, stream: 'read', outcome: 'server-error', status: 500 },
      { t: 50, stream: 'read', outcome: 'reset' },
      { t: 60, stream: 'read', outcome: 'timeout' },
      ok(100),
    ];
    expect(countEvents(events, 10, 100)).toMatchObject({
      requests: 6,
      ok: 1,
      unavailable: 2,
      unavailableWithoutRetryAfter: 1,
      serverError: 1,
      reset: 1,
      timeout: 1,
    });
  });
});

describe('recovery', () => {
  it('is the first good answer after the fault ends, for the slowest stream', () => {
    const events = [fail(900, 'a'), ok(1_050, 'a'), fail(1_100, 'b'), ok(1_400, 'b')];
    expect(recoveryByStream(events, 1_000)).toEqual({ a: 50, b: 400 });
    expect(recoveryMs(events, 1_000)).toBe(400);
  });

  it('does not count a good answer followed by more failures as recovered', () => {
    const events = [ok(1_010), fail(1_500), fail(2_000), ok(2_600), ok(2_700)];
    expect(recoveryMs(events, 1_000)).toBe(1_600);
  });

  it('is null when a stream never answered well after the fault, or nothing answered at all', () => {
    expect(recoveryMs([ok(1_010, 'a'), fail(1_500, 'b')], 1_000)).toBeNull();
    expect(recoveryMs([ok(500)], 1_000)).toBeNull();
  });
});

describe('figures', () => {
  it('percentile is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 99)).toBeNaN();
  });

  it('a figure keeps growing only when it rises every round and by more than the tolerance', () => {
    expect(keepsGrowing([100, 110, 121])).toBe(true);
    expect(keepsGrowing([100, 104, 108])).toBe(false); // +8%: within 10%
    expect(keepsGrowing([100, 130, 125])).toBe(false); // settled
    expect(keepsGrowing([100, 100, 150])).toBe(false); // flat, then one jump: not a trend
  });
});

describe('verdict and table', () => {
  it('a row fails with the message of every check that does not hold', () => {
    const verdict = new Verdict().check(true, 'fine').check(false, 'recovery 2500 ms').check(false, '1 exit');
    expect(verdict.pass).toBe(false);
    expect(verdict.failures).toEqual(['recovery 2500 ms', '1 exit']);
    expect(new Verdict().check(true, 'fine').pass).toBe(true);
  });

  it('prints one row per fault with its counts, recovery and result, and the reasons under the table', () => {
    const counts = countEvents([ok(0), fail(1), { t: 2, stream: 'read', outcome: 'refused' }]);
    const rows: Row[] = [
      {
        fault: 'pg-down',
        expectation: '503 then recovery',
        counts,
        exits: 0,
        recoveryMs: 1_234,
        pass: true,
        notes: [],
        details: {},
      },
      {
        fault: 'sigterm-tasks',
        expectation: 'no failed request',
        counts,
        exits: 1,
        recoveryMs: null,
        pass: false,
        notes: ['2 requests were reset'],
        details: {},
      },
    ];
    const lines = formatTable(rows).split('\n');
    expect(lines[0]).toMatch(
      /^fault\s+requests\s+reset\s+timeout\s+5xx\s+503\s+other\s+refused\s+exits\s+recovery\s+result$/,
    );
    expect(lines[2]?.split(/\s+/)).toEqual([
      'pg-down',
      '3',
      '0',
      '0',
      '0',
      '1',
      '0',
      '1',
      '0',
      '1.23',
      's',
      'pass',
    ]);
    expect(lines[3]?.split(/\s+/)).toEqual([
      'sigterm-tasks',
      '3',
      '0',
      '0',
      '0',
      '1',
      '0',
      '1',
      '1',
      '-',
      'FAIL',
    ]);
    expect(lines.slice(4)).toEqual(['', 'sigterm-tasks: no failed request', '  - 2 requests were reset']);
  });
});
