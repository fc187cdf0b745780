import { ConflictError, NotFoundError } from '@mini/http';
import { idempotent, type IdempotentRequest } from '@mini/idempotency';
import type { Repositories, Store } from '../repositories.ts';
import type { Actor } from '../shared/access.ts';
import { insufficientStock, lockReferences, toLevel, toMovement } from '../stock/stock.service.ts';
import type { ReservationRecord } from './reservations.repository.ts';

export const reservationNotFound = () =>
  new NotFoundError('The reservation was not found.', { code: 'reservation-not-found' });

export const reservationNotActive = (status = 'released') =>
  new ConflictError(`The reservation is ${status}: only an active one can be released or fulfilled.`, {
    code: 'reservation-not-active',
    extensions: { reservationStatus: status },
  });

/** As clients see it: an active reservation past its expiry is expired, whether or not it was swept yet. */
export function toReservation(reservation: ReservationRecord, now = new Date()) {
  const due =
    reservation.status === 'active' && reservation.expiresAt !== null && reservation.expiresAt <= now;
  return {
    ...reservation,
    status: due ? ('expired' as const) : reservation.status,
    expiresAt: reservation.expiresAt?.toISOString() ?? null,
    createdAt: reservation.createdAt.toISOString(),
    updatedAt: reservation.updatedAt.toISOString(),
  };
}

/** Locks an active reservation for its release or fulfilment; a due one is expired (and swept) first. */
async function lockActive(tx: Repositories, id: string): Promise<ReservationRecord> {
  const locked = await tx.reservations.lockForUpdate(id);
  if (!locked) throw reservationNotFound();
  const { reservation, due } = locked;
  if (reservation.status !== 'active') throw reservationNotActive(reservation.status);
  if (due) throw reservationNotActive('expired');
  return reservation;
}

export function createReservationsService(store: Store, options: { idempotencyTtlMs: number }) {
  const { repos } = store;
  const ttlMs = options.idempotencyTtlMs;

  return {
    create(
      actor: Actor,
      input: {
        productId: string;
        locationId: string;
        quantity: number;
        reference?: string | undefined;
        expiresInSeconds?: number | undefined;
      },
      request: IdempotentRequest | undefined,
    ) {
      return idempotent(store, request, {
        ttlMs,
        perform: async (tx) => {
          const { productId, locationId, quantity } = input;
          await lockReferences(tx, productId, [['locationId', locationId]]);
          await tx.stock.expireDue({ productId, locationId });
          const level = await tx.stock.reserve(productId, locationId, quantity);
          if (!level) {
            const current = await tx.stock.level(productId, locationId);
            throw insufficientStock(current ? current.onHand - current.reserved : 0);
          }
          const reservation = await tx.reservations.create({
            productId,
            locationId,
            quantity,
            reference: input.reference ?? null,
            expiresInSeconds: input.expiresInSeconds ?? null,
            createdBy: actor.id,
          });
          return { reservation: toReservation(reservation), level: toLevel(level) };
        },
      });
    },

    async get(id: string) {
      const reservation = await repos.reservations.find(id);
      if (!reservation) throw reservationNotFound();
      return toReservation(reservation);
    },

    async release(id: string) {
      return store.transaction(async (tx) => {
        const reservation = await lockActive(tx, id);
        const level = await tx.stock.unreserve(
          reservation.productId,
          reservation.locationId,
          reservation.quantity,
        );
        const released = await tx.reservations.setStatus(id, 'released');
        return { reservation: toReservation(released), level: toLevel(level) };
      });
    },

    fulfil(actor: Actor, id: string, request: IdempotentRequest | undefined) {
      return idempotent(store, request, {
        ttlMs,
        status: 200,
        perform: async (tx) => {
          const reservation = await lockActive(tx, id);
          const { productId, locationId, quantity } = reservation;
          const level = await tx.stock.shipReserved(productId, locationId, quantity);
          const movement = await tx.stock.appendMovement({
            type: 'fulfilment',
            productId,
            locationId,
            quantity: -quantity,
            reference: reservation.reference,
            reservationId: id,
            createdBy: actor.id,
          });
          const fulfilled = await tx.reservations.setStatus(id, 'fulfilled');
          return {
            reservation: toReservation(fulfilled),
            movement: toMovement(movement),
            level: toLevel(level),
          };
        },
      });
    },

    /** The sweep: marks every due reservation expired. The counts were already right (reads subtract them). */
    sweep: () => store.transaction((tx) => tx.stock.expireDue(null)),
  };
}

export type ReservationsService = ReturnType<typeof createReservationsService>;
