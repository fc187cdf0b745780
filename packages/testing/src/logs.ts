import { createLogger, type Logger } from '@mini/logger';

export interface CapturedLogs {
  logger: Logger;
  /** Every line as written, joined: to assert that something (a password) never appears. */
  text(): string;
  /** Every line, parsed. */
  entries(): Array<Record<string, unknown>>;
}

/** A logger whose every line is kept, to assert on what a service logs (and never logs). */
export function captureLogs(level: 'debug' | 'info' | 'warn' = 'debug', name = 'test'): CapturedLogs {
  const lines: string[] = [];
  const logger = createLogger({
    name,
    level,
    pretty: false,
    destination: { write: (line: string) => void lines.push(line) },
  });
  return {
    logger,
    text: () => lines.join(''),
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
