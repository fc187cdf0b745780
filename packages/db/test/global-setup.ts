import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolveAdminUrl } from '@mini/dev-db';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const handle = await resolveAdminUrl({ rootDir: path.resolve(import.meta.dirname, '../../..') });
  project.provide('adminUrl', handle.adminUrl);
  return () => handle.release();
}
