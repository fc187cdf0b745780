import { Router } from 'express';
import { z } from 'zod';
import type { ApiRegistry } from '@mini/validation';
import type { KeyStore } from './key-store.ts';

const jwksSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        kid: z.string(),
        alg: z.literal('ES256'),
        use: z.literal('sig'),
      }),
    ),
  })
  .meta({
    id: 'JsonWebKeySet',
    example: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
          alg: 'ES256',
          use: 'sig',
        },
      ],
    },
  });

export function jwksRoutes(api: ApiRegistry, keys: KeyStore): Router {
  const router = Router();
  api.route(router, {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'Public keys that verify access tokens (JWKS)',
    description:
      'Every key whose tokens may still be live: the signing key and, after a rotation, the previous ones. ' +
      "Verifiers pick the key by the token's `kid` header and pin ES256.",
    tags: ['Keys'],
    responses: { 200: { description: 'The key set.', schema: jwksSchema } },
    handler: ({ res }) => {
      // Short enough that a rotation reaches verifiers quickly; they also refetch on an unknown kid.
      res.set('Cache-Control', 'public, max-age=300');
      return keys.jwks();
    },
  });
  return router;
}
