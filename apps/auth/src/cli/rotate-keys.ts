/* eslint-disable no-console -- a command-line tool talks to a person on its terminal. */
// Adds a new signing key to JWT_KEYS_DIR: the newest key signs from the next start on, and the older
// ones stay in the JWKS so tokens they signed verify until they expire. Once ACCESS_TOKEN_TTL_SECONDS
// have passed since the restart, delete (or archive) the old key files.
//   pnpm --filter auth rotate-keys
import { addKeyFile } from '../keys/key-store.ts';
import { DEFAULT_DEV_KEYS_DIR, loadConfig } from '../config.ts';

const config = loadConfig();
const dir = config.JWT_KEYS_DIR ?? (config.NODE_ENV === 'production' ? undefined : DEFAULT_DEV_KEYS_DIR);
if (!dir) {
  console.error(
    'rotate-keys: set JWT_KEYS_DIR (with JWT_PRIVATE_KEY, rotate by deploying a new key and moving the old public key to JWT_PREVIOUS_PUBLIC_KEYS)',
  );
  process.exit(2);
}
const { file, kid } = addKeyFile(dir);
console.log(`New signing key ${kid} written to ${file}. Restart the auth service to sign with it.`);
