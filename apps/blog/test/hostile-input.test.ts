import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asRealWorld,
  createArticle,
  registerUser,
  useTestAppWithAuth,
  type RealWorldUser,
} from './helpers.ts';

// Bad input anywhere under /api is the client's 4xx in RealWorld's envelope, never a 500: field names that
// are Object.prototype members, NUL in text, malformed percent-encoding, numbers out of every range.
const ctx = useTestAppWithAuth();
let user: RealWorldUser;
let slug = '';
beforeAll(async () => {
  user = await registerUser(ctx.app, 'hostile');
  slug = (await createArticle(ctx.app, user)).slug;
});

interface Case {
  route: string;
  body?: string;
  status: number;
  field: string;
}

const cases = (): Case[] => [
  {
    route: 'POST /api/users/login',
    body: '{"user":{"constructor":1,"email":"a@b.co","password":"x"}}',
    status: 422,
    field: 'constructor',
  },
  { route: 'PUT /api/user', body: '{"user":{"toString":"x"}}', status: 422, field: 'toString' },
  { route: 'PUT /api/user', body: '{"user":{"bio":"a\\u0000b"}}', status: 422, field: 'bio' },
  {
    route: 'POST /api/articles',
    body: '{"article":{"__proto__":{},"title":"t","description":"d","body":"b"}}',
    status: 422,
    field: '__proto__',
  },
  {
    route: 'POST /api/articles',
    body: '{"article":{"title":"t","description":"d","body":"b","tagList":["a\\u0000"]}}',
    status: 422,
    field: 'tagList.0',
  },
  {
    route: 'POST /api/articles',
    body: '{"article":{"title":"t","description":"d","body":"b","tagList":[1]}}',
    status: 422,
    field: 'tagList.0',
  },
  { route: 'POST /api/articles', body: '[]', status: 422, field: 'body' },
  {
    route: `PUT /api/articles/${slug}`,
    body: '{"article":{"body":"a\\u0000b"}}',
    status: 422,
    field: 'body',
  },
  {
    route: `POST /api/articles/${slug}/comments`,
    body: '{"comment":{"body":"x","hasOwnProperty":1}}',
    status: 422,
    field: 'hasOwnProperty',
  },
  { route: 'GET /api/articles?constructor=1', status: 422, field: 'constructor' },
  { route: 'GET /api/articles?offset=9007199254740993', status: 422, field: 'offset' },
  { route: 'GET /api/articles?tag=a%00b', status: 422, field: 'tag' },
  { route: 'GET /api/articles/%ZZ', status: 400, field: 'path' },
  { route: 'DELETE /api/articles/%C0%AF', status: 400, field: 'path' },
  { route: `DELETE /api/articles/${slug}/comments/99999999999`, status: 422, field: 'id' },
  { route: `DELETE /api/articles/${slug}/comments/1.5`, status: 422, field: 'id' },
  { route: 'GET /api/profiles/%ZZ', status: 400, field: 'path' },
  { route: `GET /api/articles/${'x'.repeat(300)}`, status: 422, field: 'slug' },
];

describe('hostile input under /api', () => {
  it('answers each hostile request with its 4xx in the RealWorld envelope', async () => {
    for (const c of cases()) {
      const [method = '', url = ''] = c.route.split(' ');
      let req = asRealWorld(ctx.app, user)[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](url);
      if (c.body !== undefined) req = req.set('Content-Type', 'application/json').send(c.body);
      const res = await req;
      expect({ route: c.route, status: res.status }).toEqual({ route: c.route, status: c.status });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.hasOwn(res.body.errors, c.field), `${c.route}: ${JSON.stringify(res.body)}`).toBe(true);
    }
  });

  it('a body over the size limit is 413 in the envelope', async () => {
    const res = await request(ctx.app)
      .post('/api/articles')
      .set('Authorization', `Token ${user.token}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ article: { title: 't', description: 'd', body: 'x'.repeat(200_000) } }));
    expect(res.status).toBe(413);
    expect(res.body.errors.body).toHaveLength(1);
  });
});
