export {
  issuesToFieldErrors,
  parseRequest,
  type FieldErrors,
  type ParsedRequest,
  type RequestSchemas,
} from './parse.ts';
export {
  createApiRegistry,
  type ApiRegistry,
  type ApiRegistryOptions,
  type HandlerInput,
  type HttpMethod,
  type Parsed,
  type ResponseHeaderSpec,
  type ResponseSpec,
  type RouteDefinition,
} from './registry.ts';
export { buildDocument, toOpenApiPath } from './document.ts';
export {
  emailSchema,
  idParams,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  queryArray,
  queryBoolean,
  queryInt,
  uuidSchema,
} from './schemas.ts';
export { canonicalJson } from './canonical-json.ts';
export {
  cursorDate,
  cursorPageSchema,
  cursorSequence,
  cursorText,
  cursorUuid,
  decodeCursor,
  encodeCursor,
  invalidCursor,
  keysetPage,
  startAfter,
  type CursorPosition,
  type CursorSpec,
} from './cursor.ts';
export { etagResponseHeader, idempotencyKeyHeader, ifMatchHeader, ifNoneMatchHeader } from './headers.ts';
