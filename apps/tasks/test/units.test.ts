import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/shared/canonical-json.ts';
import { cursorDate, cursorUuid, decodeCursor, encodeCursor } from '../src/shared/cursor.ts';
import { parseIfMatch } from '../src/tasks/tasks.routes.ts';
import { diffTask } from '../src/tasks/tasks.service.ts';
import type { TaskRecord } from '../src/tasks/tasks.repository.ts';

describe('parseIfMatch', () => {
  it('reads strong tags, lists and *; ignores weak and malformed tags', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('"3"')).toEqual([3]);
    expect(parseIfMatch('"2", "3"')).toEqual([2, 3]);
    expect(parseIfMatch(' * ')).toBe('*');
    expect(parseIfMatch('W/"3"')).toEqual([]);
    expect(parseIfMatch('3')).toEqual([]);
  });
});

describe('cursors', () => {
  const due = { list: { sort: 'due', order: 'asc' }, value: cursorDate.nullable(), id: cursorUuid };
  const id = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';

  it('round-trip, and refuse another list or a forged payload', () => {
    const cursor = encodeCursor(due, { v: null, id });
    expect(decodeCursor(cursor, due)).toEqual({ v: null, id });
    expect(() => decodeCursor(cursor, { ...due, list: { sort: 'created', order: 'desc' } })).toThrow();
    expect(() => decodeCursor('%%%', due)).toThrow();
    const genuine = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...genuine, v: {}, id: "x' OR 1=1" })).toString('base64url');
    expect(() => decodeCursor(forged, due)).toThrow();
  });

  it('bind to the list whatever the order of its keys', () => {
    const cursor = encodeCursor({ ...due, list: { a: 1, b: [2] } }, { v: null, id });
    expect(decodeCursor(cursor, { ...due, list: { b: [2], a: 1 } })).toEqual({ v: null, id });
  });
});

describe('diffTask', () => {
  const task: TaskRecord = {
    id: 't',
    projectId: 'p',
    title: 'A',
    description: null,
    status: 'done',
    priority: 'medium',
    dueAt: new Date('2026-05-01T00:00:00Z'),
    assigneeId: null,
    labelIds: ['b', 'a'],
    position: 1024,
    completedAt: new Date('2026-04-01T00:00:00Z'),
    version: 4,
    createdBy: 'u',
    updatedBy: 'u',
    createdAt: new Date(),
    updatedAt: new Date(),
  };

  it('records nothing for values that do not change (same date, same label set in another order)', () => {
    const { fields } = diffTask(
      task,
      { title: 'A', dueAt: new Date('2026-05-01T00:00:00Z'), labelIds: ['a', 'b'] },
      new Date(),
    );
    expect(fields).toEqual([]);
  });

  it('leaving done clears completedAt and records both changes', () => {
    const { changes, fields } = diffTask(task, { status: 'todo' }, new Date());
    expect(changes).toEqual({ status: 'todo', completedAt: null });
    expect(fields.map((f) => f.field)).toEqual(['status', 'completedAt']);
  });
});

describe('canonicalJson', () => {
  it('when a value has keys named __proto__ or constructor, keeps them as ordinary keys, sorted', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":1},"constructor":2}') as object;
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"b":1,"constructor":2}');
    expect(canonicalJson(value)).not.toBe(canonicalJson({ b: 1, constructor: 2 }));
  });
});
