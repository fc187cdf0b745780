import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { api, authed } from '../src/index.ts';

// Any request listener works like an Express app here; it echoes what it received.
function echo(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({ method: req.method, url: req.url, authorization: req.headers.authorization ?? null }),
  );
}

describe('api', () => {
  it('when calling the app, sends no Authorization header', async () => {
    const res = await api(echo).get('/things?limit=1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ method: 'GET', url: '/things?limit=1', authorization: null });
  });
});

describe('authed', () => {
  it('when making several requests, sends the bearer token on each', async () => {
    const client = authed(echo, 'abc.def.ghi');

    const first = await client.post('/things').send({ name: 'x' });
    const second = await client.delete('/things/1');

    expect(first.body).toEqual({ method: 'POST', url: '/things', authorization: 'Bearer abc.def.ghi' });
    expect(second.body).toMatchObject({ method: 'DELETE', authorization: 'Bearer abc.def.ghi' });
  });
});
