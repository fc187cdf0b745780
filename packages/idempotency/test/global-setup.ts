import { serviceGlobalSetup } from '@mini/testing/global-setup';

export default serviceGlobalSetup({
  service: 'idempotency',
  migrationsDir: new URL('../migrations', import.meta.url).pathname,
});
