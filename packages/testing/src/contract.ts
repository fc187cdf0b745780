import type { Express, Request, Response } from 'express';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { routeTemplateOf } from '@mini/http';

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module, not the function.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

/** One request and its answer, as the client received it. */
export interface Exchange {
  method: string;
  /** The Express route template it matched ('/projects/:projectId'); undefined when no route matched. */
  route: string | undefined;
  status: number;
  contentType: string | undefined;
  /** The body as sent (UTF-8). */
  body: string;
  location: string | undefined;
}

/** What checking one exchange found. */
export interface ExchangeResult {
  violations: string[];
  /** For a problem+json answer of a documented operation: 'POST /projects/{projectId}/members 422 unknown-username'. */
  problem?: string;
}

export interface ContractCheck {
  check(exchange: Exchange): ExchangeResult;
  /** Every error example the document declares, in the `problem` form: 'METHOD /path status code'. */
  declaredExamples(): string[];
}

type Json = Record<string, unknown>;
interface Operation {
  responses?: Record<string, { content?: Record<string, Json> }>;
}

// The kit's own endpoints are not the service's API: they are not in its document.
const KIT_ROUTES = /^\/(healthz|readyz|metrics|openapi\.json|docs)(\/|$)/;
const DOCUMENT_ID = 'https://contract.test/openapi.json';

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const toOpenApiPath = (route: string) => route.replace(/:(\w+)/g, '{$1}');

function pointer(...tokens: string[]): string {
  return tokens.map((t) => encodeURIComponent(t.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');
}

function exampleCodes(media: Json): string[] {
  const schema = isObject(media.schema) ? media.schema : {};
  const values = [
    media.example,
    ...Object.values(isObject(media.examples) ? media.examples : {}).map((e) => (isObject(e) ? e.value : e)),
    schema.example,
    ...(Array.isArray(schema.examples) ? schema.examples : []),
  ];
  return values.flatMap((value) => (isObject(value) && typeof value.code === 'string' ? [value.code] : []));
}

/**
 * Checks answers against an OpenAPI 3.1 document as clients see it (its JSON): the operation is documented,
 * the status is declared for it, the content type is a declared one, and the JSON body validates against the
 * declared JSON Schema (2020-12, with formats: a field the schema does not list, a wrong type, a missing
 * required field are each a violation). A `Location` must name a documented GET route.
 */
export function createContractCheck(document: object): ContractCheck {
  const doc = JSON.parse(JSON.stringify(document)) as { paths?: Record<string, Record<string, Operation>> };
  const paths = doc.paths ?? {};
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, DOCUMENT_ID);
  const validators = new Map<string, ValidateFunction>();
  const readable = Object.entries(paths)
    .filter(([, item]) => item.get !== undefined)
    .map(([path]) => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`));

  function validator(...tokens: string[]): ValidateFunction {
    const key = `${DOCUMENT_ID}#/${pointer(...tokens)}`;
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.getSchema(key);
      if (!validate) throw new Error(`no schema at ${key}`);
      validators.set(key, validate);
    }
    return validate;
  }

  function check(x: Exchange): ExchangeResult {
    if (x.route === undefined || KIT_ROUTES.test(x.route)) return { violations: [] };
    const path = toOpenApiPath(x.route);
    const method = x.method === 'HEAD' ? 'get' : x.method.toLowerCase();
    const operation = paths[path]?.[method];
    if (!operation) return { violations: [`${method.toUpperCase()} ${path} is not in the OpenAPI document`] };
    const responses = operation.responses ?? {};
    const declared =
      responses[String(x.status)] ?? responses[`${String(x.status)[0]}XX`] ?? responses.default;
    if (!declared) {
      return {
        violations: [
          `answered ${x.status}, which the document does not declare (it declares ${Object.keys(responses).join(', ')})`,
        ],
      };
    }
    const violations: string[] = [];
    let body: unknown;
    if (x.method !== 'HEAD' && x.status !== 204 && x.status !== 304) {
      const media = x.contentType?.split(';')[0]?.trim().toLowerCase();
      const content = declared.content;
      if (content === undefined) {
        if (x.body.length > 0)
          violations.push(`sent a ${media ?? 'untyped'} body; the document declares none`);
      } else if (media === undefined || content[media] === undefined) {
        violations.push(
          `sent ${media ?? 'no content type'}; the document declares ${Object.keys(content).join(', ')}`,
        );
      } else {
        try {
          body = JSON.parse(x.body);
        } catch {
          violations.push(`sent ${media} that is not JSON: ${x.body.slice(0, 100)}`);
        }
        if (body !== undefined && content[media].schema !== undefined) {
          const validate = validator(
            'paths',
            path,
            method,
            'responses',
            String(x.status),
            'content',
            media,
            'schema',
          );
          if (!validate(body)) {
            for (const error of validate.errors ?? []) {
              const where =
                error.instancePath === '' ? 'the body' : `body${error.instancePath.replaceAll('/', '.')}`;
              const extra =
                'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : '';
              violations.push(`${where} ${error.message ?? 'is invalid'}${extra}`);
            }
          }
        }
      }
    }
    if (x.location !== undefined && x.status < 400) {
      const target = new URL(x.location, 'http://service.test').pathname;
      if (!readable.some((route) => route.test(target))) {
        violations.push(`Location ${x.location} names no GET route of the document`);
      }
    }
    const code = isObject(body) && typeof body.code === 'string' ? body.code : undefined;
    return {
      violations,
      ...(x.status >= 400 && code !== undefined
        ? { problem: `${method.toUpperCase()} ${path} ${x.status} ${code}` }
        : {}),
    };
  }

  let examples: string[] | undefined;
  function declaredExamples(): string[] {
    if (examples) return examples;
    const found: string[] = [];
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          if (Number(status) < 400) continue;
          for (const media of Object.values(response.content ?? {})) {
            for (const code of exampleCodes(media))
              found.push(`${method.toUpperCase()} ${path} ${status} ${code}`);
          }
        }
      }
    }
    examples = found;
    return found;
  }

  return { check, declaredExamples };
}

/** What the checks of one test process found: violations since the last take, problems and examples seen. */
const recorded = { violations: [] as string[], produced: new Set<string>(), declared: new Set<string>() };
const checksByText = new Map<string, ContractCheck>();
const checksByDocument = new WeakMap<object, ContractCheck>();

function checkFor(document: object): ContractCheck {
  let check = checksByDocument.get(document);
  if (check) return check;
  // Tests build many apps, each with its own document object but mostly the same text: compile once.
  const text = JSON.stringify(document);
  check = checksByText.get(text) ?? createContractCheck(document);
  checksByText.set(text, check);
  checksByDocument.set(document, check);
  return check;
}

type Writer = (this: unknown, ...args: unknown[]) => unknown;

function chunkBytes(chunk: unknown, encoding: unknown): Buffer {
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.alloc(0);
}

/**
 * Checks every answer `app` sends against `document()` just before it leaves (so a test has its answer only
 * once the check has run), recording violations for `takeContractViolations()` and the error codes produced.
 * Add it before any other middleware (onServiceAppCreated's listeners run then).
 */
export function watchContract(app: Express, document: () => object): void {
  app.use((req, res, next) => {
    // Bytes, decoded once at the end: a character may be split across two writes.
    const chunks: Buffer[] = [];
    const write = res.write as Writer;
    const end = res.end as Writer;
    res.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      chunks.push(chunkBytes(chunk, rest[0]));
      return write.call(this, chunk, ...rest);
    } as typeof res.write;
    res.end = function (this: unknown, chunk?: unknown, ...rest: unknown[]) {
      if (typeof chunk !== 'function') chunks.push(chunkBytes(chunk, rest[0]));
      record(req, res, Buffer.concat(chunks).toString('utf8'), document);
      return end.call(this, chunk, ...rest);
    } as typeof res.end;
    next();
  });
}

function record(req: Request, res: Response, body: string, document: () => object): void {
  const route = routeTemplateOf(req);
  const exchange: Exchange = {
    method: req.method,
    route: route === '(unmatched)' ? undefined : route,
    status: res.statusCode,
    contentType: res.getHeader('content-type')?.toString(),
    body,
    location: res.getHeader('location')?.toString(),
  };
  try {
    const check = checkFor(document());
    for (const example of check.declaredExamples()) recorded.declared.add(example);
    const result = check.check(exchange);
    if (result.problem) recorded.produced.add(result.problem);
    for (const violation of result.violations) {
      recorded.violations.push(`${req.method} ${req.originalUrl} -> ${res.statusCode}: ${violation}`);
    }
  } catch (err) {
    recorded.violations.push(`${req.method} ${req.originalUrl}: the contract check failed: ${String(err)}`);
  }
}

/** The violations recorded since the last call (and forgets them). */
export function takeContractViolations(): string[] {
  return recorded.violations.splice(0);
}

/** The error examples the documents of this process declare, and the problems its tests produced. */
export function contractCoverage(): { declared: string[]; produced: string[] } {
  return { declared: [...recorded.declared], produced: [...recorded.produced] };
}
