import { serviceGlobalSetup } from '@mini/testing/global-setup';

export default serviceGlobalSetup({
  service: 'auth',
  migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
});
