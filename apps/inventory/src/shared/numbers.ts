import { z } from 'zod';

/**
 * Quantities and money are whole numbers stored in Postgres `integer` columns, so the largest accepted value
 * is 2^31 - 1: anything past it, a fraction or a string is a 422 here, never an overflow in the database.
 */
export const MAX_INT = 2_147_483_647;

const wholeNumber = () => z.int({ error: 'Expected a whole number' }).max(MAX_INT);

/** An amount of money in minor units (1250 = 12.50), 0 or more. */
export const money = () => wholeNumber().min(0);

/** A quantity that moves stock: 1 or more. */
export const positiveQuantity = () => wholeNumber().min(1);

/** A quantity that is a level or a threshold: 0 or more. */
export const nonNegativeQuantity = () => wholeNumber().min(0);
