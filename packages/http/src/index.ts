export * from './errors.ts';
export { PROBLEM_TYPE_BASE, problemBody, sendProblem, type ProblemDetails } from './problem.ts';
export { errorHandler, notFoundHandler, toAppError } from './error-handler.ts';
export {
  REQUEST_ID_HEADER,
  createServiceApp,
  getMetricsRegistry,
  onServiceAppCreated,
  routeTemplateOf,
  type ServiceAppInfo,
  type ServiceAppOptions,
} from './app.ts';
export { getInFlightWork, trackWork, type InFlightWork } from './in-flight.ts';
export {
  DEFAULT_SERVER_LIMITS,
  installShutdownHandlers,
  startServer,
  type RunningServer,
  type ServerLimits,
  type StartServerOptions,
} from './server.ts';
export { checkIfMatch, etagOf, parseIfMatch, staleVersion, withEtag, type IfMatch } from './etag.ts';
export {
  appErrorFromProblem,
  createServiceClient,
  dependencyUnavailable,
  forwardedFrom,
  type Forwarded,
  type ServiceClient,
  type ServiceClientOptions,
  type ServiceRequest,
} from './service-client.ts';
