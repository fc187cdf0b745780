/* eslint-disable no-console -- a command-line tool talks to a person on its terminal. */
// Creates the first admin from the command line:
//   pnpm --filter auth create-admin --email ada@example.com --username ada
// An account that already has the email is refused, unless --promote is given: then it becomes an admin
// if its email is verified, and its sessions end (as a promotion through PATCH /admin/users/:id does).
// The password comes from ADMIN_PASSWORD, from standard input when piped, or from a prompt that does
// not echo. It is never printed, and never taken as a flag: flags end up in shell history and `ps`.
import { parseArgs } from 'node:util';
import { poolTimeoutsFromConfig } from '@mini/db';
import { createLogger } from '@mini/logger';
import { loadConfig } from '../config.ts';
import { connectDatabase } from '../db.ts';
import { peppersFromConfig } from '../passwords/pepper.ts';
import { revocationRelayFromConfig } from '../revocation/revocation-relay.ts';
import { createAdminAccount } from './create-admin-account.ts';

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  process.stdout.write('Password (not shown): ');
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (key: string) => {
      for (const char of key) {
        if (char === '\r' || char === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stdout.write('\n');
          resolve(typed);
          return;
        }
        if (char === '\u0003') {
          stdin.setRawMode(false);
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    username: { type: 'string' },
    promote: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log('usage: pnpm --filter auth create-admin --email <email> --username <username> [--promote]');
  console.log(
    '       (or ADMIN_EMAIL / ADMIN_USERNAME; password from ADMIN_PASSWORD, piped stdin or a prompt)',
  );
  console.log(
    '       --promote: make the existing account with that email an admin (email verified; its sessions end)',
  );
  process.exit(0);
}
const email = values.email ?? process.env.ADMIN_EMAIL;
const username = values.username ?? process.env.ADMIN_USERNAME;
if (!email || !username) {
  console.error('create-admin: --email and --username (or ADMIN_EMAIL and ADMIN_USERNAME) are required');
  process.exit(2);
}

// In development, with nothing configured, use the database `pnpm dev` gives auth on the embedded
// Postgres (role, database and password all "auth"), so the command works next to a running `pnpm dev`.
// 54329 is @mini/dev-db's DEFAULT_EMBEDDED_PORT, written out: this command ships without the dev tooling.
// (NODE_ENV unset is production, as for the service: then DATABASE_URL is required.)
if (!process.env.DATABASE_URL && process.env.NODE_ENV === 'development') {
  const port = process.env.EMBEDDED_PG_PORT ?? '54329';
  process.env.DATABASE_URL = `postgres://auth:auth@127.0.0.1:${port}/auth`;
}
const config = loadConfig();
const logger = createLogger({ name: 'auth-cli', level: 'warn' });
const db = connectDatabase(config.DATABASE_URL, logger, poolTimeoutsFromConfig(config));
// A promotion ends the account's sessions, queued in the revocation outbox like any other. With Redis, this
// command publishes them itself before it exits; if it cannot, a running auth service will.
const relay = revocationRelayFromConfig(config, db, logger);
try {
  const result = await createAdminAccount(
    db,
    {
      email,
      username,
      password: readPassword,
      hashing: { cost: config.BCRYPT_COST, peppers: peppersFromConfig(config) },
      promote: values.promote,
    },
    { logger },
  );
  if (result.outcome === 'promoted' && relay && !(await relay.flush())) {
    console.warn(
      'Redis did not answer: the ended sessions stay queued until a running auth service publishes them.',
    );
  }
  const who = `${result.user.username} <${result.user.email}>`;
  console.log(
    result.outcome === 'created'
      ? `Created admin ${who} (id ${result.user.id}).`
      : result.outcome === 'promoted'
        ? `${who} is now an admin (password unchanged); their sessions have ended.`
        : `${who} was already an admin; nothing changed.`,
  );
} catch (err) {
  console.error(`create-admin: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await relay?.stop();
  await db.close();
}
