import type { Logger } from '@mini/logger';

/** Work a service does besides answering requests (purges, sweeps, relays), started and stopped with it. */
export interface BackgroundJob {
  readonly name: string;
  /** Starts the job; `logger` is the service's. Never keeps the process alive on its own. */
  start(logger: Logger): void;
  /** Stops it; resolves once a run in progress has finished, so the pool it uses can close after it. */
  stop(): Promise<void>;
}

export interface IntervalJobOptions {
  /** Also run once at start, not only after the first interval. Default false. */
  runAtStart?: boolean;
}

/**
 * `run(logger)` every `everyMs`. A failed run is logged (warn, with the job's name) and the next one runs as
 * usual; a run still going when the next is due makes that one skip, so slow runs never pile up.
 */
export function intervalJob(
  name: string,
  everyMs: number,
  run: (logger: Logger) => unknown,
  options: IntervalJobOptions = {},
): BackgroundJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let log: Logger | undefined;

  const tick = () => {
    if (running) return;
    // Through a microtask, so that `running` is set before a run that fails at once can clear it.
    running = Promise.resolve()
      .then(() => run(log as Logger))
      .then(
        () => {},
        (err: unknown) => log?.warn({ err, job: name }, `${name} failed; it runs again in ${everyMs} ms`),
      )
      .finally(() => {
        running = undefined;
      });
  };

  return {
    name,
    start(logger) {
      log = logger;
      timer = setInterval(tick, everyMs);
      timer.unref();
      if (options.runAtStart) tick();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
