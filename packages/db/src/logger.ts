/** The slice of a pino logger this package writes to; a pino logger fits as is. */
export interface DbLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

// Library code must never be silent about a lost connection, even when the caller passed no logger.
export const stderrLogger: DbLogger = {
  info: (obj, msg) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`),
  warn: (obj, msg) => process.stderr.write(`warning: ${msg} ${JSON.stringify(obj)}\n`),
};

export const silentLogger: DbLogger = { info: () => {}, warn: () => {} };

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
