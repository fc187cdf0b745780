import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { checkIfMatch, parseIfMatch, withEtag } from '../src/index.ts';
import { buildApp } from './helpers.ts';

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

describe('checkIfMatch', () => {
  it('passes without a header, with * and with the current version; a stale or weak tag is 412 with currentVersion', () => {
    expect(() => checkIfMatch(undefined, 4)).not.toThrow();
    expect(() => checkIfMatch('*', 4)).not.toThrow();
    expect(() => checkIfMatch([3, 4], 4)).not.toThrow();
    for (const stale of [[3], []]) {
      expect(() => checkIfMatch(stale, 4)).toThrow(
        expect.objectContaining({
          status: 412,
          code: 'precondition-failed',
          extensions: { currentVersion: 4 },
        }),
      );
    }
  });
});

// A resource with a version, its GET and a conditional PUT, as a service writes them.
function documentsApp(options: { required: boolean }) {
  const doc = { id: 'd1', text: 'first', version: 1 };
  const routes = (app: express.Express) => {
    app.get('/docs/d1', (_req, res) => void res.json(withEtag(res, doc)));
    app.put('/docs/d1', express.json(), (req, res) => {
      const ifMatch = parseIfMatch(req.get('If-Match'), options);
      checkIfMatch(ifMatch, doc.version);
      Object.assign(doc, { text: (req.body as { text: string }).text, version: doc.version + 1 });
      res.json(withEtag(res, doc));
    });
  };
  return buildApp(routes).app;
}

describe('conditional writes through the kit', () => {
  it('a write with the ETag just read succeeds; the same write again (now stale) is 412 problem+json', async () => {
    const app = documentsApp({ required: false });
    const read = await request(app).get('/docs/d1');
    const etag = read.headers.etag as string;
    expect(etag).toBe('"1"');
    const first = await request(app).put('/docs/d1').set('If-Match', etag).send({ text: 'a' });
    expect({ status: first.status, etag: first.headers.etag }).toEqual({ status: 200, etag: '"2"' });
    const again = await request(app).put('/docs/d1').set('If-Match', etag).send({ text: 'b' });
    expect(again.status).toBe(412);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body).toMatchObject({ code: 'precondition-failed', currentVersion: 2 });
  });

  it('a GET whose If-None-Match names the current ETag answers 304', async () => {
    const app = documentsApp({ required: false });
    expect((await request(app).get('/docs/d1').set('If-None-Match', '"1"')).status).toBe(304);
  });

  it('where the service requires If-Match, a write without it is 428 precondition-required and changes nothing', async () => {
    const app = documentsApp({ required: true });
    const res = await request(app).put('/docs/d1').send({ text: 'blind' });
    expect({ status: res.status, code: res.body.code }).toEqual({
      status: 428,
      code: 'precondition-required',
    });
    expect((await request(app).get('/docs/d1')).body).toMatchObject({ text: 'first', version: 1 });
  });

  it('where If-Match is optional, a write without it applies to the current version', async () => {
    const app = documentsApp({ required: false });
    expect((await request(app).put('/docs/d1').send({ text: 'x' })).headers.etag).toBe('"2"');
  });
});
