import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A cross-process lock on a directory path: held while `lockDir` exists. Inside, the `pid` file says who
 * holds it: `<pid> <token>`, the token telling apart two holders that had the same pid.
 *
 * A lock left behind by a killed process is taken over, and that is where simple locks go wrong: "see
 * that the owner is dead, then delete the directory" is two steps, and between them another waiter may
 * already have deleted the stale lock and a live process taken a fresh one, which the first waiter then
 * deletes. Here no step acts on a lock it has not checked:
 * - Taking the lock renames a complete directory of our own onto `lockDir`, and releasing it renames it
 *   away before emptying it. rename is atomic and fails when `lockDir` exists, so a lock is never seen
 *   without its `pid` file.
 * - A stale lock is first renamed away to a name of our own (of several waiters, exactly one moves it),
 *   and only then checked: if it is not the lock we judged stale, it goes back where it was.
 */

export interface LockOwner {
  pid: number;
  token: string;
}

const PID_FILE = 'pid';

export function readLockOwner(lockDir: string): LockOwner | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(lockDir, PID_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const [pid, token = ''] = text.trim().split(' ');
  const owner = { pid: Number(pid), token };
  return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether renaming a directory onto `lockDir` failed because a lock was there (Linux says ENOTEMPTY or
 * EEXIST, Windows EPERM). It may be gone again by now: its holder let go, and the next try will tell.
 */
function isTaken(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM';
}

/**
 * Removes the lock at `lockDir` if it is still the one `judged` stale. Returns whether it did. Safe to
 * call by several waiters at once, and with a judgement that has gone out of date.
 */
export function removeStaleLock(lockDir: string, judged: LockOwner): boolean {
  const moved = `${lockDir}.stale-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(lockDir, moved);
  } catch (err) {
    // Another waiter moved it first.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const owner = readLockOwner(moved);
  if (owner?.pid === judged.pid && owner.token === judged.token) {
    fs.rmSync(moved, { recursive: true, force: true });
    return true;
  }
  // A live process's lock, taken after our look: give it back before its holder notices.
  try {
    fs.renameSync(moved, lockDir);
  } catch (err) {
    if (!isTaken(err)) throw err;
    // Yet another process took the lock in the instant between our two renames: two holders now,
    // which cannot be undone from here. Say so rather than carry on.
    throw new Error(
      `${lockDir}: a live lock was moved aside while taking over a stale one, and could not be put back (it is in ${moved})`,
      { cause: err },
    );
  }
  return false;
}

/** Takes the lock if it is free (or held by a dead process); returns the token to unlock with, or undefined. */
export function tryLock(lockDir: string): string | undefined {
  const token = randomBytes(8).toString('hex');
  const mine = `${lockDir}.${token}`;
  fs.mkdirSync(mine);
  fs.writeFileSync(path.join(mine, PID_FILE), `${process.pid} ${token}`);
  try {
    fs.renameSync(mine, lockDir);
    return token;
  } catch (err) {
    fs.rmSync(mine, { recursive: true, force: true });
    if (!isTaken(err)) throw err;
  }
  const owner = readLockOwner(lockDir);
  // No owner: a lock being moved by another waiter right now (the next try sees how that ended).
  if (owner && !isAlive(owner.pid)) removeStaleLock(lockDir, owner);
  return undefined;
}

function timedOut(lockDir: string): Error {
  const owner = readLockOwner(lockDir);
  return new Error(
    `timed out waiting for the lock ${lockDir} (${owner ? `held by pid ${owner.pid}` : 'no owner recorded: remove it if no process is using it'})`,
  );
}

/** Releases a lock taken by tryLock (only if it is still ours). */
export function unlock(lockDir: string, token: string): void {
  if (readLockOwner(lockDir)?.token !== token) return;
  // Renamed away in one step, then emptied. Emptied in place, the directory would for a moment have no
  // pid file: a lock nobody can tell the owner of, and one a waiter's rename could even replace.
  const released = `${lockDir}.released-${token}`;
  fs.renameSync(lockDir, released);
  fs.rmSync(released, { recursive: true, force: true });
}

const RETRY_MS = 100;

export async function withLock<T>(lockDir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let token: string | undefined;
  while ((token = tryLock(lockDir)) === undefined) {
    if (Date.now() > deadline) throw timedOut(lockDir);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  try {
    return await fn();
  } finally {
    unlock(lockDir, token);
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function withLockSync<T>(lockDir: string, timeoutMs: number, fn: () => T): T {
  const deadline = Date.now() + timeoutMs;
  let token: string | undefined;
  while ((token = tryLock(lockDir)) === undefined) {
    if (Date.now() > deadline) throw timedOut(lockDir);
    sleepSync(RETRY_MS);
  }
  try {
    return fn();
  } finally {
    unlock(lockDir, token);
  }
}
