import { z } from 'zod';
import { problemBody, type AppError } from '@mini/http';

const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().meta({ description: 'Stable kebab-case error code.' }),
    requestId: z.string().optional(),
    errors: z.record(z.string(), z.array(z.string())).optional(),
  })
  .loose();

/**
 * A documented error answer whose example is the very body the service sends: built from the same error
 * factory the service throws, so the document cannot drift from the code.
 */
export function problemExample(description: string, error: AppError) {
  return {
    description,
    schema: problemSchema.meta({
      example: problemBody(error, '0f8fad5b-d9cb-469f-a165-70867728950e'),
    }),
  };
}
