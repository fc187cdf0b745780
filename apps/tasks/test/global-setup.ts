import { serviceGlobalSetup } from '@mini/testing/global-setup';

export default serviceGlobalSetup({
  service: 'tasks',
  migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
});
