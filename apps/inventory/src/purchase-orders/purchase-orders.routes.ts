import { Router } from 'express';
import { z } from 'zod';
import { idempotencyKeyReused, idempotentReplayedHeader, idempotentRequest } from '@mini/idempotency';
import { idempotencyKeyHeader, type ApiRegistry } from '@mini/validation';
import { actorOf, forbidden, writers } from '../shared/access.ts';
import { unknownLocation, unknownProduct } from '../stock/stock.service.ts';
import { movementSchema } from '../stock/stock.schemas.ts';
import {
  createPurchaseOrderBody,
  listPurchaseOrdersQuery,
  purchaseOrderPageSchema,
  purchaseOrderParams,
  purchaseOrderSchema,
  receivePurchaseOrderBody,
} from './purchase-orders.schemas.ts';
import {
  overReceipt,
  purchaseOrderNotFound,
  unknownLine,
  wrongStatus,
  type PurchaseOrdersService,
} from './purchase-orders.service.ts';

const tags = ['Purchase orders'];
const notFound = { description: 'No such purchase order.', problems: [purchaseOrderNotFound()] };
const receiptSchema = z
  .object({ purchaseOrder: purchaseOrderSchema, movements: z.array(movementSchema) })
  .meta({ id: 'PurchaseReceipt' });

export function purchaseOrderRoutes(api: ApiRegistry, orders: PurchaseOrdersService): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/purchase-orders',
    summary: 'Draft a purchase order (manager or admin)',
    tags,
    auth: true,
    middleware: writers,
    body: createPurchaseOrderBody,
    responses: {
      201: {
        description: 'The draft.',
        schema: purchaseOrderSchema,
        headers: { Location: { description: '`/purchase-orders/{purchaseOrderId}`' } },
      },
      403: forbidden,
      422: {
        description: 'Validation failed, or an unknown location or product.',
        problems: [unknownLocation(), unknownProduct('lines.0.productId')],
      },
    },
    handler: async ({ req, res, body }) => {
      const order = await orders.create(actorOf(req), body);
      res.location(`/purchase-orders/${order.id}`);
      return order;
    },
  });

  api.route(router, {
    method: 'get',
    path: '/purchase-orders',
    summary: 'List purchase orders, newest first',
    tags,
    auth: true,
    query: listPurchaseOrdersQuery,
    responses: { 200: { description: 'A page of purchase orders.', schema: purchaseOrderPageSchema } },
    handler: ({ query }) => orders.list(query),
  });

  api.route(router, {
    method: 'get',
    path: '/purchase-orders/:purchaseOrderId',
    summary: 'Get a purchase order with its lines',
    tags,
    auth: true,
    params: purchaseOrderParams,
    responses: { 200: { description: 'The purchase order.', schema: purchaseOrderSchema }, 404: notFound },
    handler: ({ params }) => orders.get(params.purchaseOrderId),
  });

  api.route(router, {
    method: 'post',
    path: '/purchase-orders/:purchaseOrderId/submit',
    summary: 'Submit a draft: its lines count as incoming (manager or admin)',
    tags,
    auth: true,
    middleware: writers,
    params: purchaseOrderParams,
    responses: {
      200: { description: 'The submitted order.', schema: purchaseOrderSchema },
      403: forbidden,
      404: notFound,
      409: {
        description: 'Only a draft can be submitted.',
        problems: [wrongStatus('submitted', 'be submitted')],
      },
    },
    handler: ({ params }) => orders.submit(params.purchaseOrderId),
  });

  api.route(router, {
    method: 'post',
    path: '/purchase-orders/:purchaseOrderId/receive',
    summary: 'Receive part or all of some lines (manager or admin)',
    description:
      "Each line's quantity is added to on hand at the order's location as a `purchase_receipt` movement at the " +
      "line's cost; never more than ordered. Takes `Idempotency-Key`.",
    tags,
    auth: true,
    middleware: writers,
    params: purchaseOrderParams,
    headers: z.object({ 'Idempotency-Key': idempotencyKeyHeader }).strict(),
    body: receivePurchaseOrderBody,
    responses: {
      200: {
        description: 'The order after the receipt, and the movements appended.',
        schema: receiptSchema,
        headers: { 'Idempotent-Replayed': idempotentReplayedHeader },
      },
      403: forbidden,
      404: notFound,
      409: { description: 'The order is a draft, received or cancelled.', problems: [wrongStatus()] },
      422: {
        description: 'Validation failed, more than ordered, a line not of this order, or a reused key.',
        problems: [overReceipt(), unknownLine(), idempotencyKeyReused()],
      },
    },
    handler: async ({ req, res, params, headers, body }) => {
      const actor = actorOf(req);
      const request = idempotentRequest(req, actor.id, headers['Idempotency-Key'], body);
      const { value, replayed } = await orders.receive(actor, params.purchaseOrderId, body, request);
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      return value;
    },
  });

  api.route(router, {
    method: 'post',
    path: '/purchase-orders/:purchaseOrderId/cancel',
    summary: 'Cancel an order: what was not received stops being incoming (manager or admin)',
    tags,
    auth: true,
    middleware: writers,
    params: purchaseOrderParams,
    responses: {
      200: { description: 'The cancelled order.', schema: purchaseOrderSchema },
      403: forbidden,
      404: notFound,
      409: {
        description: 'A received or cancelled order cannot be cancelled.',
        problems: [wrongStatus('received', 'be cancelled')],
      },
    },
    handler: ({ params }) => orders.cancel(params.purchaseOrderId),
  });

  return router;
}
