import { ConfigError } from '@mini/config';
import type { Config } from '../config.ts';
import { DEFAULT_DEV_KEYS_DIR } from '../config.ts';
import { loadKeyStore, type KeyStore } from './key-store.ts';

/**
 * Production: JWT_PRIVATE_KEY or JWT_KEYS_DIR, never generated (config validation enforces it).
 * Development and test: the same, and an empty (or absent) key folder, .data/keys/auth by default, gets a
 * key generated once, so tokens survive restarts and the other services' cached JWKS stays valid.
 * Keys that cannot be read are a ConfigError: at start-up, one line naming what to fix, no stack trace.
 */
export function loadKeyStoreFromConfig(config: Config): KeyStore {
  const development = config.NODE_ENV !== 'production';
  const useDevDir = development && !config.JWT_KEYS_DIR && !config.JWT_PRIVATE_KEY;
  try {
    return loadKeyStoreFrom(config, development, useDevDir);
  } catch (err) {
    throw new ConfigError([
      { variable: 'signing keys', reason: err instanceof Error ? err.message : String(err) },
    ]);
  }
}

function loadKeyStoreFrom(config: Config, development: boolean, useDevDir: boolean): KeyStore {
  return loadKeyStore({
    keysDir: config.JWT_KEYS_DIR ?? (useDevDir ? DEFAULT_DEV_KEYS_DIR : undefined),
    privateKeyPem: config.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n'),
    previousPublicKeysPem: config.JWT_PREVIOUS_PUBLIC_KEYS?.replace(/\\n/g, '\n'),
    signingKid: config.JWT_SIGNING_KID,
    // Outside production an empty key folder gets a first key; in production an empty one is an error.
    generateIfMissing: development && !config.JWT_PRIVATE_KEY,
  });
}
