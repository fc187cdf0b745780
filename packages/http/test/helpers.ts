import { Writable } from 'node:stream';
import type { Express } from 'express';
import { createLogger } from '@mini/logger';
import { createServiceApp, type ServiceAppOptions } from '../src/index.ts';

export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** An app with the kit around `routes`, its log lines captured as parsed JSON. */
export function buildApp(
  routes: (app: Express) => void = () => {},
  overrides: Partial<ServiceAppOptions> & { bodyLimit?: string; corsOrigins?: string[] } = {},
) {
  const logs: LogRecord[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logs.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
  const logger = createLogger({ name: 'test', level: 'debug', pretty: false, destination });
  const app = createServiceApp({
    name: 'test-service',
    version: '1.2.3',
    config: {
      NODE_ENV: 'test',
      CORS_ORIGINS: overrides.corsOrigins ?? ['https://app.example.com'],
      BODY_LIMIT: overrides.bodyLimit ?? '1kb',
      TRUST_PROXY: false,
    },
    logger,
    routes,
    ...overrides,
  });
  return { app, logs, logger };
}
