import type { Express, Request } from 'express';

/**
 * Work that request handlers still have running. A closed connection does not mean a finished handler:
 * when a client gives up mid-request, its handler keeps going and will still use the database, so
 * shutdown must wait for this count, not only for the server's connections, before closing pools.
 */
export interface InFlightWork {
  /** Tracked promises that have not settled yet. */
  readonly count: number;
  /** Counts `work` until it settles; returns it unchanged, so the caller still awaits or catches it. */
  track<T>(work: Promise<T>): Promise<T>;
  /**
   * Counts one unit of work until the matching `end()`: what `track` does without a promise, for the
   * kit's per-request count (a promise and its reactions per request are measurable under load).
   */
  begin(): void;
  end(): void;
  /** Resolves as soon as nothing is tracked (at once if nothing is). */
  drained(): Promise<void>;
}

export function createInFlightWork(): InFlightWork {
  let count = 0;
  let waiters: Array<() => void> = [];
  const settle = () => {
    count -= 1;
    if (count > 0) return;
    const resolve = waiters;
    waiters = [];
    for (const waiter of resolve) waiter();
  };
  return {
    get count() {
      return count;
    },
    track(work) {
      count += 1;
      work.then(settle, settle);
      return work;
    },
    begin() {
      count += 1;
    },
    end: settle,
    drained() {
      if (count === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

const IN_FLIGHT = 'inFlightWork';
// Per request rather than via req.app: a sub-app mounted inside the service would have its own locals.
// A symbol-keyed property rather than a WeakMap: a WeakMap entry per request is ephemeron work for every
// garbage collection under load.
const TRACKER = Symbol('inFlightWork');
type TrackedRequest = Request & { [TRACKER]?: InFlightWork };

/** The tracker createServiceApp keeps in `app.locals`; undefined for an app built another way. */
export function getInFlightWork(app: Express): InFlightWork | undefined {
  return app.locals[IN_FLIGHT] as InFlightWork | undefined;
}

export function setInFlightWork(app: Express, work: InFlightWork): void {
  app.locals[IN_FLIGHT] = work;
}

export function attachInFlightWork(req: Request, work: InFlightWork): void {
  (req as TrackedRequest)[TRACKER] = work;
}

/**
 * Keeps graceful shutdown waiting until `work` settles, even if the client has already gone. The kit
 * covers every request until its response finishes; call this for work that may outlive that (the
 * validation registry's `api.route` does it for each handler). A no-op on apps not built by
 * createServiceApp. Returns `work` unchanged.
 */
export function trackWork<T>(req: Request, work: Promise<T>): Promise<T> {
  return (req as TrackedRequest)[TRACKER]?.track(work) ?? work;
}
