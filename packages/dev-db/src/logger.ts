/** The slice of a pino logger this package writes to; a pino logger (or @mini/db's DbLogger) fits as is. */
export interface DevDbLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export const silentLogger: DevDbLogger = { info: () => {}, warn: () => {} };
