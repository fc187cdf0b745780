import './provided.ts';

export {
  setupServiceTestDatabase,
  REPO_ROOT,
  type ServiceTestDatabase,
  type ServiceTestDatabaseOptions,
} from './database.ts';
export { serviceGlobalSetup } from './global-setup.ts';
export {
  isStale,
  parseTestDatabaseName,
  sweepStaleTestDatabases,
  testDatabaseName,
  type RunIdentity,
} from './stale-databases.ts';
export { tokenFor, testAuth, uniqueSuffix, type TokenOptions, type TestRole } from './tokens.ts';
export { api, authed, type TestApp } from './http.ts';
export {
  defineTestApp,
  silentLogger,
  useTestApp,
  type BuiltApp,
  type TestAppDefinition,
  type TestAppFactory,
  type TestAppOf,
} from './test-app.ts';
export { asUser, testUser, type TestUser } from './users.ts';
export { captureLogs, type CapturedLogs } from './logs.ts';
export { startAuthStandIn, type AuthStandIn, type AuthStandInMode } from './auth-stand-in.ts';
export { redisAvailable, TEST_REDIS_URL } from './redis.ts';
export { startTcpProxy, type TcpProxy, type TcpProxyMode } from './tcp-proxy.ts';
export { expectProblemCase, NUL_MESSAGE, problemCases, type ProblemCase } from './problem-cases.ts';
export {
  createContractCheck,
  takeContractViolations,
  watchContract,
  type ContractCheck,
  type Exchange,
  type ExchangeResult,
} from './contract.ts';
