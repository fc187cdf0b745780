// What the global setup hands to every test file through vitest's inject().
declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated test database of this run, as the service's own role. */
    databaseUrl: string;
    /** Where each test file records the error codes its answers carried (see contract-setup.ts). */
    contractDir?: string;
  }
}

export {};
