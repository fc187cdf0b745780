import { Router } from 'express';
import { idempotencyKeyReused, idempotentReplayedHeader, idempotentRequest } from '@mini/idempotency';
import type { ApiRegistry } from '@mini/validation';
import { actorOf, forbidden, writers } from '../shared/access.ts';
import { insufficientStock, unknownLocation, unknownProduct } from '../stock/stock.service.ts';
import {
  createReservationBody,
  fulfilmentSchema,
  idempotentHeaders,
  reservationChangeSchema,
  reservationParams,
  reservationSchema,
} from './reservations.schemas.ts';
import {
  reservationNotActive,
  reservationNotFound,
  type ReservationsService,
} from './reservations.service.ts';

const tags = ['Reservations'];
const notFound = { description: 'No such reservation.', problems: [reservationNotFound()] };
const notActive = {
  description:
    'The reservation was already released, fulfilled, or has expired; `reservationStatus` says which.',
  problems: [reservationNotActive()],
};
const replayed = { 'Idempotent-Replayed': idempotentReplayedHeader };

export function reservationRoutes(api: ApiRegistry, reservations: ReservationsService): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/reservations',
    summary: 'Hold stock for an order (manager or admin)',
    description:
      'Raises `reserved` (so `available` drops) if that much is available, however many requests arrive at once. ' +
      'With `expiresInSeconds` it stops counting at that instant and is swept later. Takes `Idempotency-Key`.',
    tags,
    auth: true,
    middleware: writers,
    headers: idempotentHeaders,
    body: createReservationBody,
    responses: {
      201: {
        description: 'The reservation and the level.',
        schema: reservationChangeSchema,
        headers: replayed,
      },
      403: forbidden,
      409: {
        description: 'Less is available; `available` says how much. Nothing changed.',
        problems: [insufficientStock()],
      },
      422: {
        description: 'Validation failed, an unknown product or location, or a reused Idempotency-Key.',
        problems: [unknownProduct(), unknownLocation(), idempotencyKeyReused()],
      },
    },
    handler: async ({ req, res, headers, body }) => {
      const actor = actorOf(req);
      const request = idempotentRequest(req, actor.id, headers['Idempotency-Key'], body);
      const { value, replayed: wasReplayed } = await reservations.create(actor, body, request);
      if (wasReplayed) res.setHeader('Idempotent-Replayed', 'true');
      res.location(`/reservations/${value.reservation.id}`);
      return value;
    },
  });

  api.route(router, {
    method: 'get',
    path: '/reservations/:reservationId',
    summary: 'Get a reservation',
    tags,
    auth: true,
    params: reservationParams,
    responses: { 200: { description: 'The reservation.', schema: reservationSchema }, 404: notFound },
    handler: ({ params }) => reservations.get(params.reservationId),
  });

  api.route(router, {
    method: 'post',
    path: '/reservations/:reservationId/release',
    summary: 'Let go of a reservation (manager or admin)',
    tags,
    auth: true,
    middleware: writers,
    params: reservationParams,
    responses: {
      200: { description: 'The released reservation and the level.', schema: reservationChangeSchema },
      403: forbidden,
      404: notFound,
      409: notActive,
    },
    handler: ({ params }) => reservations.release(params.reservationId),
  });

  api.route(router, {
    method: 'post',
    path: '/reservations/:reservationId/fulfil',
    summary: 'Ship a reservation (manager or admin)',
    description:
      'On hand and reserved both drop by its quantity and a `fulfilment` movement is appended. Takes `Idempotency-Key`.',
    tags,
    auth: true,
    middleware: writers,
    headers: idempotentHeaders,
    params: reservationParams,
    responses: {
      200: { description: 'The fulfilment.', schema: fulfilmentSchema, headers: replayed },
      403: forbidden,
      404: notFound,
      409: notActive,
    },
    handler: async ({ req, res, params, headers }) => {
      const actor = actorOf(req);
      const request = idempotentRequest(req, actor.id, headers['Idempotency-Key'], {});
      const { value, replayed: wasReplayed } = await reservations.fulfil(
        actor,
        params.reservationId,
        request,
      );
      if (wasReplayed) res.setHeader('Idempotent-Replayed', 'true');
      return value;
    },
  });

  return router;
}
