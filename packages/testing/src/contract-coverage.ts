import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

interface FileRecord {
  file: string;
  declared: string[];
  produced: string[];
}

/** A fresh directory where the run's test files record their contract coverage. */
export function createCoverageDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'mini-contract-'));
}

/**
 * The error examples the document declares that no test produced, or undefined when this run cannot tell:
 * only a run of every test file of the project, unfiltered by test name, has had the chance to produce them all.
 */
export async function missingExamples(project: TestProject, dir: string): Promise<string[] | undefined> {
  const records = await Promise.all(
    (await readdir(dir)).map(
      async (name) => JSON.parse(await readFile(path.join(dir, name), 'utf8')) as FileRecord,
    ),
  );
  const ran = new Set(records.map((record) => record.file));
  const { testFiles } = await project.globTestFiles();
  if (project.vitest.config.testNamePattern !== undefined || !testFiles.every((file) => ran.has(file))) {
    return undefined;
  }
  const produced = new Set(records.flatMap((record) => record.produced));
  const declared = new Set(records.flatMap((record) => record.declared));
  return [...declared].filter((example) => !produced.has(example)).sort();
}

/** Throws, naming each one, when some declared error example was produced by no test; then removes `dir`. */
export async function checkContractCoverage(project: TestProject, dir: string): Promise<void> {
  try {
    const missing = await missingExamples(project, dir);
    if (missing !== undefined && missing.length > 0) {
      throw new Error(
        `${project.name}: error examples the OpenAPI document declares that no test produced ` +
          `(make a test produce each, or drop the example):\n  ${missing.join('\n  ')}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
