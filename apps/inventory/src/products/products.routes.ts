import { Router } from 'express';
import { parseIfMatch, staleVersion, withEtag } from '@mini/http';
import { etagResponseHeader, type ApiRegistry } from '@mini/validation';
import { forbidden, writers } from '../shared/access.ts';
import type { ProductRecord } from './products.repository.ts';
import {
  conditionalWriteHeaders,
  createProductBody,
  listProductsQuery,
  productPageSchema,
  productParams,
  productSchema,
  updateProductBody,
} from './products.schemas.ts';
import { productNotFound, skuTaken, unknownCategory, type ProductsService } from './products.service.ts';

export const toProductDto = (product: ProductRecord) => ({
  ...product,
  createdAt: product.createdAt.toISOString(),
  updatedAt: product.updatedAt.toISOString(),
});

const tags = ['Products'];
const notFound = { description: 'No such product.', problems: [productNotFound()] };
const badCategory = {
  description: 'Validation failed, or the category does not exist.',
  problems: [unknownCategory()],
};

export function productRoutes(api: ApiRegistry, products: ProductsService): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/products',
    summary: 'List products by SKU: search, filter by category and active',
    description: 'Keyset pagination: follow `nextCursor` with the same filters.',
    tags,
    auth: true,
    query: listProductsQuery,
    responses: { 200: { description: 'A page of products.', schema: productPageSchema } },
    handler: async ({ query }) => {
      const page = await products.list(query);
      return { items: page.items.map(toProductDto), nextCursor: page.nextCursor };
    },
  });

  api.route(router, {
    method: 'post',
    path: '/products',
    summary: 'Create a product (manager or admin)',
    description: 'Money is in minor units (`unitCost: 1250` is 12.50); SKUs are unique whatever their case.',
    tags,
    auth: true,
    middleware: writers,
    body: createProductBody,
    responses: {
      201: {
        description: 'The new product; its version is in the ETag header.',
        schema: productSchema,
        headers: {
          ETag: etagResponseHeader,
          Location: { description: 'The new product: `/products/{productId}`.' },
        },
      },
      403: forbidden,
      409: { description: 'The SKU is taken (letter case does not matter).', problems: [skuTaken()] },
      422: badCategory,
    },
    handler: async ({ res, body }) => {
      const product = await products.create(body);
      res.location(`/products/${product.id}`);
      return withEtag(res, toProductDto(product));
    },
  });

  api.route(router, {
    method: 'get',
    path: '/products/:productId',
    summary: 'Get a product',
    tags,
    auth: true,
    params: productParams,
    responses: {
      200: { description: 'The product.', schema: productSchema, headers: { ETag: etagResponseHeader } },
      404: notFound,
    },
    handler: async ({ res, params }) => withEtag(res, toProductDto(await products.get(params.productId))),
  });

  api.route(router, {
    method: 'patch',
    path: '/products/:productId',
    summary: 'Change a product (manager or admin)',
    description:
      '`If-Match: "<version>"` (optional, recommended) refuses the change with 412 if the product changed since you read it.',
    tags,
    auth: true,
    middleware: writers,
    params: productParams,
    headers: conditionalWriteHeaders,
    body: updateProductBody,
    responses: {
      200: { description: 'The product.', schema: productSchema, headers: { ETag: etagResponseHeader } },
      403: forbidden,
      404: notFound,
      409: { description: 'The new SKU is taken.', problems: [skuTaken()] },
      412: { description: 'If-Match names an outdated version.', problems: [staleVersion(3)] },
      422: badCategory,
    },
    handler: async ({ res, params, headers, body }) =>
      withEtag(
        res,
        toProductDto(await products.update(params.productId, body, parseIfMatch(headers['If-Match']))),
      ),
  });

  api.route(router, {
    method: 'delete',
    path: '/products/:productId',
    summary: 'Delete a product (manager or admin)',
    description: '`If-Match` works as for PATCH.',
    tags,
    auth: true,
    middleware: writers,
    params: productParams,
    headers: conditionalWriteHeaders,
    responses: {
      204: { description: 'Deleted.' },
      403: forbidden,
      404: notFound,
      412: { description: 'If-Match names an outdated version.', problems: [staleVersion(3)] },
    },
    handler: async ({ params, headers }) => {
      await products.delete(params.productId, parseIfMatch(headers['If-Match']));
    },
  });

  return router;
}
