import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';

export type Env = Record<string, string | undefined>;

/** Thrown by `loadConfig` when one or more variables are missing or invalid. */
export class ConfigError extends Error {
  /** One entry per bad variable, e.g. `{ variable: 'PORT', reason: 'expected ...' }`. */
  readonly problems: ReadonlyArray<{ variable: string; reason: string }>;

  constructor(problems: ReadonlyArray<{ variable: string; reason: string }>) {
    super(['Invalid configuration:', ...problems.map((p) => `  ${p.variable}: ${p.reason}`)].join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// For a URL the host and database are what an operator needs to see; only the password is secret.
function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = 'redacted';
    url.search = url.search ? '?redacted' : '';
    return url.toString();
  } catch {
    return '[redacted]';
  }
}

/** How a secret field is hidden: whole, or (a URL) only its password and query. */
type SecretKind = 'value' | 'url';

const secretKinds = new WeakMap<z.ZodType, SecretKind>();

function markSecret<T extends z.ZodType>(schema: T, kind: SecretKind): T {
  // A copy: the same schema (an optional string, say) also serves fields that are not secret.
  const marked = schema.clone() as T;
  secretKinds.set(marked, kind);
  return marked;
}

/**
 * Marks a config field as a secret (a key, a password, a pepper): its value never appears in a log line
 * (redactConfig) or in a ConfigError. `secret(optionalText)`, `secret(z.string().min(32))`.
 */
export function secret<T extends z.ZodType>(schema: T): T {
  return markSecret(schema, 'value');
}

/**
 * Marks a URL field whose password and query are secret (DATABASE_URL, REDIS_URL, SMTP_URL): logs show
 * its scheme, host and path, which an operator needs, and `redacted` for the rest.
 */
export function secretUrl<T extends z.ZodType>(schema: T): T {
  return markSecret(schema, 'url');
}

interface WrapperDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

const defOf = (schema: z.ZodType) => schema._zod.def as unknown as WrapperDef;

// The mark sits on the schema given to secret(); .optional(), .default(), .pipe() ... wrap it afterwards.
function secretKindOf(schema: z.ZodType): SecretKind | undefined {
  const kind = secretKinds.get(schema);
  if (kind !== undefined) return kind;
  const def = defOf(schema);
  for (const inner of [def.innerType, def.in, def.out]) {
    const innerKind = inner && secretKindOf(inner);
    if (innerKind) return innerKind;
  }
  return undefined;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  const def = defOf(schema);
  if (def.type === 'object' && def.shape) return def.shape;
  const inner = def.in ?? def.innerType;
  return inner ? objectShape(inner) : {};
}

/** The fields of a config schema marked secret() or secretUrl(), with how each is hidden. */
export function secretFields(schema: z.ZodType): Map<string, SecretKind> {
  const fields = new Map<string, SecretKind>();
  for (const [name, field] of Object.entries(objectShape(schema))) {
    const kind = secretKindOf(field);
    if (kind) fields.set(name, kind);
  }
  return fields;
}

/** 'true'/'false'/'1'/'0' (any case) -> boolean. Use as `booleanFromEnv().default(false)`. */
export function booleanFromEnv() {
  return z.stringbool({
    truthy: ['true', '1'],
    falsy: ['false', '0'],
    case: 'insensitive',
    error: 'expected true, false, 1 or 0',
  });
}

/** A TCP port; services pass their own default: `PORT: portSchema(3002)`. */
export function portSchema(defaultPort: number) {
  const message = 'expected a whole number between 0 and 65535';
  return z.coerce
    .number({ error: message })
    .int({ error: message })
    .min(0, { error: message })
    .max(65535, { error: message })
    .default(defaultPort);
}

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), {
  error: 'expected a postgres:// or postgresql:// URL',
});

const origin = z.string().refine((value) => /^https?:\/\/[^/]+$/.test(value) && URL.canParse(value), {
  error: 'expected a comma-separated list of origins such as https://app.example.com',
});

export interface WholeNumberOptions {
  /** Default 1. */
  min?: number;
  max?: number;
  /** Named in the message: 'seconds', 'milliseconds', 'hours'. */
  unit?: string;
}

/**
 * A whole number from the environment, with its default, and one message that states the whole rule:
 * `wholeNumber(20)`, `wholeNumber(12, { min: 4, max: 15 })`, `wholeNumber(500, { min: 0, unit: 'milliseconds' })`.
 */
export function wholeNumber(defaultValue: number, options: WholeNumberOptions = {}) {
  const { min = 1, max, unit } = options;
  const what = unit === undefined ? 'a whole number' : `a whole number of ${unit}`;
  const message =
    max !== undefined
      ? `expected ${what} between ${min} and ${max}`
      : unit === undefined
        ? `expected ${what} of at least ${min}`
        : `expected ${what}, at least ${min}`;
  const schema = z.coerce.number({ error: message }).int({ error: message }).min(min, { error: message });
  return (max === undefined ? schema : schema.max(max, { error: message })).default(defaultValue);
}

/** A duration in whole seconds (at least `min`, default 1), with its default. */
export function seconds(defaultValue: number, min = 1) {
  return wholeNumber(defaultValue, { min, unit: 'seconds' });
}

/** An http:// or https:// URL. */
export function httpUrl() {
  return z.string().refine((value) => /^https?:\/\//.test(value) && URL.canParse(value), {
    error: 'expected an http:// or https:// URL',
  });
}

/** Text that may be absent; a blank value counts as absent. */
export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/** What Express's `trust proxy` setting receives: off, a number of hops, or proxy addresses/CIDRs/names. */
export type TrustProxy = false | number | readonly string[];

const TRUST_PROXY_FORMS =
  'expected false, a number of proxy hops (1 behind one load balancer), or a comma-separated list of ' +
  'proxy addresses, CIDRs and loopback, linklocal, uniquelocal';
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY in Express's own forms. Never `true`: Express would then take the left-most
 * X-Forwarded-For entry, which the client writes itself, and a client rotating it would escape every
 * per-IP limit. A hop count or the proxies' addresses make req.ip the address the last trusted proxy saw.
 */
export function trustProxySchema() {
  return z.string().transform((value, ctx): TrustProxy => {
    const text = value.trim().toLowerCase();
    if (text === 'false' || text === '0') return false;
    if (/^\d+$/.test(text)) return Number(text);
    const entries = text.split(',').map((entry) => entry.trim());
    if (text === 'true' || !entries.every(isProxyAddress)) {
      const why = text === 'true' ? 'true would let any client choose its own IP address; ' : '';
      ctx.addIssue({ code: 'custom', message: `${why}${TRUST_PROXY_FORMS}` });
      return z.NEVER;
    }
    return entries;
  });
}

/** A duration in whole milliseconds, 0 or more. */
function milliseconds() {
  const message = 'expected a whole number of milliseconds';
  return z.coerce.number({ error: message }).int({ error: message }).min(0, { error: message });
}

/** Variables every service reads. Extend it: `baseConfigSchema.extend({ PORT: portSchema(3002) })`. */
export const baseConfigSchema = z.object({
  // Unset means production: a deploy that forgets NODE_ENV must not get development's conveniences
  // (dev-only endpoints, generated secrets). loadConfigOrExit says so on stderr.
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  PORT: portSchema(3000),
  // Loopback unless told otherwise: reachable from other machines (or from outside a container) only when
  // HOST=0.0.0.0 (or another interface's address) says so.
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: secretUrl(postgresUrl),
  // Connections the service's pool may hold (per process); the database's max_connections is shared by all.
  DATABASE_POOL_MAX: wholeNumber(10, { max: 200 }),
  // Postgres cancels a statement running longer (statement_timeout on every connection); 0: the server's own.
  DATABASE_STATEMENT_TIMEOUT_MS: milliseconds().default(5_000),
  // A query with no answer after this long fails and its connection is dropped: the database went silent.
  DATABASE_QUERY_TIMEOUT_MS: milliseconds()
    .min(1, { error: 'expected at least 1 millisecond' })
    .default(6_000),
  // Waiting for a connection (a free pool slot, or a new connection) gives up after this long.
  DATABASE_CONNECT_TIMEOUT_MS: milliseconds()
    .min(1, { error: 'expected at least 1 millisecond' })
    .default(5_000),
  CORS_ORIGINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    )
    .pipe(z.array(origin))
    .default([]),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, { error: 'expected a size such as 100kb or 1mb' })
    .default('100kb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number({ error: 'expected a whole number of milliseconds' })
    .int({ error: 'expected a whole number of milliseconds' })
    .min(0, { error: 'expected a whole number of milliseconds' })
    .default(10_000),
  TRUST_PROXY: trustProxySchema().default(false),
  // The HTTP server's limits (@mini/http's startServer and createServiceApp read them under these names).
  SHUTDOWN_IDLE_GRACE_MS: wholeNumber(1_000, { min: 0 }),
  HTTP_HEADERS_TIMEOUT_MS: wholeNumber(10_000),
  HTTP_REQUEST_TIMEOUT_MS: wholeNumber(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: wholeNumber(5_000),
  HTTP_MAX_HEADER_SIZE: wholeNumber(16_384),
  HTTP_MAX_HEADERS_COUNT: wholeNumber(100),
  HTTP_MAX_URL_LENGTH: wholeNumber(8_192),
  HTTP_MAX_QUERY_PARAMS: wholeNumber(100),
});

export type BaseConfig = z.output<typeof baseConfigSchema>;

export interface LoadConfigOptions {
  /** Folder holding the .env files. Default: process.cwd(). */
  cwd?: string;
  /** The real environment. Default: process.env. */
  env?: Env;
}

function readEnvFile(path: string): Env {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return parseEnv(text);
}

/**
 * Merges `.env`, `.env.<NODE_ENV>`, `.env.local`, `.env.<NODE_ENV>.local` (later files win) and then the
 * real environment (wins over every file). Empty values count as unset, so `DATABASE_URL=` in a file
 * reads as "required" rather than as an invalid URL.
 */
export function mergeEnv(options: LoadConfigOptions = {}): Env {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const base = readEnvFile(join(cwd, '.env'));
  const nodeEnv = env.NODE_ENV || base.NODE_ENV || 'production';
  const files = [`.env.${nodeEnv}`, '.env.local', `.env.${nodeEnv}.local`];
  const merged: Env = { ...base };
  for (const file of files) Object.assign(merged, readEnvFile(join(cwd, file)));
  Object.assign(merged, env);
  for (const [name, value] of Object.entries(merged)) {
    if (value === '') delete merged[name];
  }
  return merged;
}

function describeIssues(issues: z.core.$ZodIssue[], env: Env, secrets: Map<string, SecretKind>): ConfigError {
  const problems: Array<{ variable: string; reason: string }> = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(config)';
    const name = String(issue.path[0] ?? '');
    // The first issue per variable is the most useful; later ones repeat it in other words.
    if (seen.has(variable)) continue;
    seen.add(variable);
    const raw = env[name];
    let reason: string;
    if (raw === undefined && issue.code === 'invalid_type') {
      reason = 'required';
    } else if (raw === undefined || secrets.has(name)) {
      reason = issue.message;
    } else {
      reason = `${issue.message}, got ${JSON.stringify(raw)}`;
    }
    problems.push({ variable, reason });
  }
  return new ConfigError(problems);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Validates the merged environment against `schema`; throws ConfigError naming every bad variable. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  options: LoadConfigOptions = {},
): Readonly<z.output<S>> {
  const env = mergeEnv(options);
  const result = schema.safeParse(env);
  if (!result.success) throw describeIssues(result.error.issues, env, secretFields(schema));
  return deepFreeze(result.data);
}

export const NODE_ENV_UNSET_WARNING =
  'Warning: NODE_ENV is not set, so this runs as NODE_ENV=production: no development-only endpoints, ' +
  'JSON logs, and every secret production requires must be configured. ' +
  'Set NODE_ENV=development to develop (pnpm dev does).';

/**
 * `loadConfig`, but a bad configuration prints its lines to stderr (no stack trace) and exits 1, and a
 * NODE_ENV set nowhere (environment or .env files) prints NODE_ENV_UNSET_WARNING to stderr.
 */
export function loadConfigOrExit<S extends z.ZodType>(
  schema: S,
  options: LoadConfigOptions = {},
): Readonly<z.output<S>> {
  // First: it may be why a variable below is reported missing (production requires more).
  if (mergeEnv(options).NODE_ENV === undefined) process.stderr.write(`${NODE_ENV_UNSET_WARNING}\n`);
  try {
    return loadConfig(schema, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/**
 * A copy fit for a start-up log line: every field `schema` marks secret() becomes '[redacted]'; a
 * secretUrl() keeps its scheme, host and path, with the password and query (which may hold one) redacted.
 * What a value is decides, not its name: PASSWORD_HASH_CONCURRENCY is a number, and shown.
 */
export function redactConfig<T extends object>(schema: z.ZodType, config: T): Record<string, unknown> {
  const secrets = secretFields(schema);
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(config)) {
    const kind = secrets.get(name);
    if (kind === undefined || value === undefined) copy[name] = value;
    else copy[name] = kind === 'url' && typeof value === 'string' ? redactUrl(value) : '[redacted]';
  }
  return copy;
}
