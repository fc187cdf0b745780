import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { DEFAULT_DEV_PEPPER_FILE } from '../config.ts';
import type { Peppers } from './password-hasher.ts';

/**
 * PASSWORD_PEPPER (and PASSWORD_PREVIOUS_PEPPER) when set; production requires it (config validation).
 * Development and test without it: a pepper generated once into the git-ignored .data/ (like the signing
 * keys) and read from there afterwards, so hashes keep verifying across restarts.
 */
export function peppersFromConfig(
  config: Pick<Config, 'NODE_ENV' | 'PASSWORD_PEPPER' | 'PASSWORD_PREVIOUS_PEPPER'>,
  devFile = DEFAULT_DEV_PEPPER_FILE,
): Peppers {
  const previous = config.PASSWORD_PREVIOUS_PEPPER === undefined ? [] : [config.PASSWORD_PREVIOUS_PEPPER];
  if (config.PASSWORD_PEPPER) return { current: config.PASSWORD_PEPPER, previous };
  if (config.NODE_ENV === 'production') throw new Error('PASSWORD_PEPPER is required in production');
  return { current: readOrCreatePepper(devFile), previous };
}

function readPepper(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readOrCreatePepper(file: string): string {
  const existing = readPepper(file);
  if (existing) return existing;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // `wx`: when two processes start at once, the second one reads the first one's pepper.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const created = readPepper(file);
  if (!created) throw new Error(`could not read the development pepper from ${file}`);
  return created;
}
