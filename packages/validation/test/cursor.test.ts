import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  canonicalJson,
  cursorDate,
  cursorSequence,
  cursorUuid,
  decodeCursor,
  encodeCursor,
  keysetPage,
  startAfter,
  type CursorSpec,
} from '../src/index.ts';

const due: CursorSpec<string | null> = {
  list: { sort: 'due', order: 'asc' },
  value: cursorDate.nullable(),
  id: cursorUuid,
};
const id = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected the cursor to be refused');
}

describe('keyset cursors', () => {
  it('round-trip the position of the last row', () => {
    const cursor = encodeCursor(due, { v: '2026-05-01T12:00:00.000Z', id });
    expect(decodeCursor(cursor, due)).toEqual({ v: '2026-05-01T12:00:00.000Z', id });
  });

  it('when used with another sort, other filters or another scope, refuse it: 422 invalid-cursor', () => {
    const cursor = encodeCursor(due, { v: null, id });
    for (const list of [
      { sort: 'created', order: 'desc' },
      { sort: 'due', order: 'asc', status: ['done'] },
      { sort: 'due', order: 'asc', projectId: id },
    ]) {
      expect(refusal(() => decodeCursor(cursor, { ...due, list }))).toMatchObject({
        status: 422,
        code: 'invalid-cursor',
        errors: { cursor: [expect.stringMatching(/another list/)] },
      });
    }
  });

  it('bind to the list whatever the order of its keys', () => {
    const cursor = encodeCursor({ ...due, list: { a: 1, b: [2] } }, { v: null, id });
    expect(decodeCursor(cursor, { ...due, list: { b: [2], a: 1 } })).toEqual({ v: null, id });
  });

  it('when forged (not base64 JSON, extra fields, a value or id of the wrong shape), refuse it with 422, never a 500', () => {
    const genuine = JSON.parse(Buffer.from(encodeCursor(due, { v: null, id }), 'base64url').toString());
    for (const cursor of [
      '%%%',
      forge('text'),
      forge([1, 2]),
      forge({ ...genuine, extra: 1 }),
      forge({ ...genuine, v: {} }),
      forge({ ...genuine, v: '2026-02-30T00:00:00.000Z' }),
      forge({ ...genuine, id: "x' OR 1=1" }),
    ]) {
      expect(refusal(() => decodeCursor(cursor, due))).toMatchObject({ status: 422, code: 'invalid-cursor' });
    }
  });

  it('startAfter gives null for the first page', () => {
    expect(startAfter(undefined, due)).toBeNull();
  });

  it('a sequence cursor accepts digit strings that fit a bigint only', () => {
    const spec: CursorSpec<null> = { list: 'activity', value: z.null(), id: cursorSequence };
    expect(decodeCursor(encodeCursor(spec, { v: null, id: '42' }), spec)).toEqual({ v: null, id: '42' });
    expect(
      refusal(() => decodeCursor(encodeCursor(spec, { v: null, id: '1'.repeat(19) }), spec)),
    ).toMatchObject({
      code: 'invalid-cursor',
    });
  });
});

describe('keysetPage', () => {
  const rows = [1, 2, 3].map((n) => ({ n, id: `00000000-0000-4000-8000-00000000000${n}` }));
  const spec: CursorSpec<number> = { list: 'numbers', value: z.number(), id: cursorUuid };
  const position = (row: { n: number; id: string }) => ({ v: row.n, id: row.id });

  it('with limit + 1 rows, returns limit items and a cursor after the last one', () => {
    const page = keysetPage(rows, 2, spec, position);
    expect(page.items).toEqual(rows.slice(0, 2));
    expect(decodeCursor(page.nextCursor as string, spec)).toEqual({ v: 2, id: rows[1]?.id });
  });

  it('with limit rows or fewer, it is the last page: nextCursor null', () => {
    expect(keysetPage(rows, 3, spec, position)).toEqual({ items: rows, nextCursor: null });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, writes dates as ISO strings and leaves undefined members out', () => {
    expect(canonicalJson({ b: [{ d: 1, c: undefined, a: new Date(0) }], a: null })).toBe(
      '{"a":null,"b":[{"a":"1970-01-01T00:00:00.000Z","d":1}]}',
    );
  });

  it('when a value has keys named __proto__ or constructor, keeps them as ordinary keys, sorted', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":1},"constructor":2}') as object;
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"b":1,"constructor":2}');
    expect(canonicalJson(value)).not.toBe(canonicalJson({ b: 1, constructor: 2 }));
  });
});
