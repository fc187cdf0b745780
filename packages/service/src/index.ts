export { intervalJob, type BackgroundJob, type IntervalJobOptions } from './jobs.ts';
export {
  runService,
  type Closable,
  type RevocationResource,
  type RunningService,
  type ServiceConfig,
  type ServiceContext,
  type ServiceDefinition,
} from './run-service.ts';
