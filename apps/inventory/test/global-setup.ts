import { serviceGlobalSetup } from '@mini/testing/global-setup';

// A fresh database for this run, made from prisma/bootstrap.sql and migrated; dropped afterwards.
export default serviceGlobalSetup({
  service: 'inventory',
  migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
});
