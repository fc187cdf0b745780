import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, expect, inject } from 'vitest';
import { onServiceAppCreated } from '@mini/http';
import { contractCoverage, takeContractViolations, watchContract } from './contract.ts';
import './provided.ts';

/**
 * A vitest setup file (`setupFiles: ['@mini/testing/contract-setup']`): every app `createServiceApp` builds in
 * a test file has its answers checked against its own OpenAPI document, and a test whose requests got an
 * answer off the contract fails, naming each request and what is wrong with its answer. The error codes the
 * tests produced are written for serviceGlobalSetup, which checks after the run that every error example
 * the document declares was produced by some test.
 */

// An app built without an OpenAPI document (a stand-in service in a test) has no contract to keep.
onServiceAppCreated((app, { document }) => document && watchContract(app, document));

function failOnViolations(): void {
  const violations = takeContractViolations();
  if (violations.length > 0) {
    throw new Error(`Answers that break the OpenAPI document:\n  ${violations.join('\n  ')}`);
  }
}

afterEach(failOnViolations);

afterAll(async () => {
  const dir = inject('contractDir');
  if (dir !== undefined) {
    const record = { file: expect.getState().testPath, ...contractCoverage() };
    // One file per test file: test files run in parallel, in separate processes or threads.
    await writeFile(path.join(dir, `${randomUUID()}.json`), JSON.stringify(record));
  }
  // Answers sent after a file's last test (its afterAll hooks) are checked too.
  failOnViolations();
});
