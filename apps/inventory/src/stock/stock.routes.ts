import { Router, type Request, type Response } from 'express';
import {
  idempotencyKeyReused,
  idempotentReplayedHeader,
  idempotentRequest,
  type IdempotentRequest,
} from '@mini/idempotency';
import type { AppError } from '@mini/http';
import type { ApiRegistry } from '@mini/validation';
import { actorOf, forbidden, writers, type Actor } from '../shared/access.ts';
import {
  adjustBody,
  idempotentWriteHeaders,
  levelPageSchema,
  listLevelsQuery,
  listMovementsQuery,
  movementPageSchema,
  receiveBody,
  shipBody,
  stockChangeSchema,
  transferBody,
  transferSchema,
} from './stock.schemas.ts';
import {
  insufficientStock,
  quantityTooLarge,
  sameLocation,
  unknownLocation,
  unknownProduct,
  type StockService,
} from './stock.service.ts';

const tags = ['Stock'];
const idempotencyNote =
  'Send an `Idempotency-Key` header (e.g. a UUID) to make retries safe: a repeat with the same key and body ' +
  'returns the first answer (with `Idempotent-Replayed: true`) and changes nothing; the same key with another ' +
  'body is 422.';
const created = (schema: typeof stockChangeSchema | typeof transferSchema) => ({
  description: 'The movement(s) appended to the ledger, and the level(s) after them.',
  schema,
  headers: { 'Idempotent-Replayed': idempotentReplayedHeader },
});
const invalid = (...extra: AppError[]) => ({
  description:
    'Validation failed (`errors` per field: fractions, negatives and numbers past 2^31 included), an unknown ' +
    'product or location, or an Idempotency-Key used for another request.',
  problems: [unknownProduct(), unknownLocation(), idempotencyKeyReused(), ...extra],
});
const noStock = {
  description: 'Less is available (on hand minus reserved); `available` says how much. Nothing changed.',
  problems: [insufficientStock()],
};

/** Runs a stock write for the caller with the request's Idempotency-Key; marks a replayed answer. */
async function idempotentWrite<T>(
  req: Request,
  res: Response,
  key: string | undefined,
  body: unknown,
  perform: (actor: Actor, request: IdempotentRequest | undefined) => Promise<{ value: T; replayed: boolean }>,
): Promise<T> {
  const actor = actorOf(req);
  const { value, replayed } = await perform(actor, idempotentRequest(req, actor.id, key, body));
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  return value;
}

export function stockRoutes(api: ApiRegistry, stock: StockService): Router {
  const router = Router();
  const write = { tags, auth: true, middleware: writers, headers: idempotentWriteHeaders } as const;

  api.route(router, {
    ...write,
    method: 'post',
    path: '/stock/receive',
    summary: 'Receive stock into a location (manager or admin)',
    description:
      "Appends a receipt (+quantity) at `unitCost` (default: the product's) and raises on hand.\n\n" +
      idempotencyNote,
    body: receiveBody,
    responses: { 201: created(stockChangeSchema), 403: forbidden, 422: invalid(quantityTooLarge()) },
    handler: ({ req, res, headers, body }) =>
      idempotentWrite(req, res, headers['Idempotency-Key'], body, (actor, request) =>
        stock.receive(actor, body, request),
      ),
  });

  api.route(router, {
    ...write,
    method: 'post',
    path: '/stock/ship',
    summary: 'Ship stock out of a location (manager or admin)',
    description:
      'Appends a shipment (-quantity). Refused with 409 `insufficient-stock` when less is available, however ' +
      `many requests arrive at once.\n\n${idempotencyNote}`,
    body: shipBody,
    responses: { 201: created(stockChangeSchema), 403: forbidden, 409: noStock, 422: invalid() },
    handler: ({ req, res, headers, body }) =>
      idempotentWrite(req, res, headers['Idempotency-Key'], body, (actor, request) =>
        stock.ship(actor, body, request),
      ),
  });

  api.route(router, {
    ...write,
    method: 'post',
    path: '/stock/adjust',
    summary: 'Correct stock with a reason: + found, - lost or damaged (manager or admin)',
    description: `Appends an adjustment with its reason; a negative one is refused like a shipment.\n\n${idempotencyNote}`,
    body: adjustBody,
    responses: {
      201: created(stockChangeSchema),
      403: forbidden,
      409: noStock,
      422: invalid(quantityTooLarge()),
    },
    handler: ({ req, res, headers, body }) =>
      idempotentWrite(req, res, headers['Idempotency-Key'], body, (actor, request) =>
        stock.adjust(actor, body, request),
      ),
  });

  api.route(router, {
    ...write,
    method: 'post',
    path: '/stock/transfer',
    summary: 'Move stock between two locations (manager or admin)',
    description:
      'Two legs (out of the source, into the destination) sharing a `transferId`, in one transaction: both ' +
      `happen or neither. Refused with 409 when the source has less available.\n\n${idempotencyNote}`,
    body: transferBody,
    responses: {
      201: created(transferSchema),
      403: forbidden,
      409: noStock,
      422: invalid(sameLocation()),
    },
    handler: ({ req, res, headers, body }) =>
      idempotentWrite(req, res, headers['Idempotency-Key'], body, (actor, request) =>
        stock.transfer(actor, body, request),
      ),
  });

  api.route(router, {
    method: 'get',
    path: '/stock',
    summary: 'Stock levels: on hand, reserved, available, incoming, per product and location',
    tags,
    auth: true,
    query: listLevelsQuery,
    responses: {
      200: { description: 'A page of levels, by product and location.', schema: levelPageSchema },
    },
    handler: ({ query }) => stock.levels(query),
  });

  api.route(router, {
    method: 'get',
    path: '/stock/movements',
    summary: 'The ledger, newest first: filter by product, location, type and time',
    tags,
    auth: true,
    query: listMovementsQuery,
    responses: { 200: { description: 'A page of movements.', schema: movementPageSchema } },
    handler: ({ query }) => {
      const { from, to, ...rest } = query;
      return stock.movements({
        ...rest,
        ...(from !== undefined && { from: new Date(from) }),
        ...(to !== undefined && { to: new Date(to) }),
      });
    },
  });

  return router;
}
