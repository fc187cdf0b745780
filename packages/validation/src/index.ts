export {
  issuesToFieldErrors,
  parseRequest,
  type FieldErrors,
  type ParsedRequest,
  type RequestSchemas,
} from './parse.ts';
export {
  createApiRegistry,
  toOpenApiPath,
  type ApiRegistry,
  type ApiRegistryOptions,
  type HandlerInput,
  type HttpMethod,
  type Parsed,
  type ResponseHeaderSpec,
  type ResponseSpec,
  type RouteDefinition,
} from './registry.ts';
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
