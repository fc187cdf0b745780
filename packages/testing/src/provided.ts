// What the global setup hands to every test file through vitest's inject().
declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated test database of this run, as the service's own role. */
    databaseUrl: string;
  }
}

export {};
