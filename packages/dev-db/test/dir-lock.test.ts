import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLockOwner, removeStaleLock, tryLock, unlock } from '../src/dir-lock.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dir-lock-'));
  dirs.push(dir);
  return dir;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  if (pid === undefined) throw new Error('could not start a process');
  return pid;
}

/** A lock as a killed process leaves it. */
function staleLock(lockDir: string, token = 'stale'): void {
  mkdirSync(lockDir);
  writeFileSync(path.join(lockDir, 'pid'), `${deadPid()} ${token}`);
}

describe('dir-lock', () => {
  it('when the lock is free, tryLock takes it; while held, a second tryLock fails; after unlock it is free', () => {
    const lockDir = path.join(scratch(), 'lock');
    const token = tryLock(lockDir);
    expect(token).toEqual(expect.any(String));
    expect(readLockOwner(lockDir)).toEqual({ pid: process.pid, token });
    expect(tryLock(lockDir)).toBeUndefined();
    unlock(lockDir, token ?? '');
    expect(existsSync(lockDir)).toBe(false);
  });

  it('when the lock was left by a dead process, the next tryLock removes it and the one after takes it', () => {
    const lockDir = path.join(scratch(), 'lock');
    staleLock(lockDir);
    expect(tryLock(lockDir)).toBeUndefined();
    expect(tryLock(lockDir)).toEqual(expect.any(String));
  });

  it('when a waiter judged a lock stale but it has since been taken over and taken again by a live process, the waiter leaves the live lock alone', () => {
    const lockDir = path.join(scratch(), 'lock');
    staleLock(lockDir);
    // Two waiters look at the stale lock; both judge it stale.
    const judgedByFirst = readLockOwner(lockDir);
    const judgedBySecond = readLockOwner(lockDir);
    if (!judgedByFirst || !judgedBySecond) throw new Error('expected a lock owner');
    // The first removes it, and a live process takes the lock.
    expect(removeStaleLock(lockDir, judgedByFirst)).toBe(true);
    const token = tryLock(lockDir);
    expect(token).toEqual(expect.any(String));
    // The second acts on its judgement only now.
    expect(removeStaleLock(lockDir, judgedBySecond)).toBe(false);
    expect(readLockOwner(lockDir)).toEqual({ pid: process.pid, token });
    expect(tryLock(lockDir)).toBeUndefined();
  });

  it('when several processes find a stale lock and then take the lock over and over, they hold it one at a time', async () => {
    const dir = scratch();
    const lockDir = path.join(dir, 'lock');
    staleLock(lockDir);
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, [path.join(import.meta.dirname, 'fixtures/take-lock.ts'), lockDir, dir, '10']),
    );
    const outputs = await Promise.all(
      children.map(async (child) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        await once(child, 'exit');
        return output.trim();
      }),
    );
    expect(outputs).toEqual(['alone', 'alone', 'alone', 'alone']);
    expect(existsSync(lockDir)).toBe(false);
  });
});
