import { z } from 'zod';
import { uuidSchema } from '@mini/validation';
import { sendMessageBody } from '../messages/messages.schemas.ts';

// Every event payload is validated like a request body: strict objects, so an unknown field is refused.
export const roomPayload = z.object({ roomId: uuidSchema }).strict();

export const readPayload = z.object({ roomId: uuidSchema, messageId: uuidSchema }).strict();

export const sendPayload = sendMessageBody.extend({ roomId: uuidSchema }).strict();

/** The acknowledgement of a client event that failed; `code` is the same as the REST API's for the same error. */
export interface ErrorAck {
  ok: false;
  error: { code: string; message: string };
}
