import { serviceGlobalSetup } from '../src/global-setup.ts';

export default serviceGlobalSetup({
  service: 'testing',
  migrationsDir: new URL('./fixtures/migrations', import.meta.url),
});
