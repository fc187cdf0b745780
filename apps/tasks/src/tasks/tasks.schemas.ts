import { z } from 'zod';
import {
  cursorPageSchema,
  etagResponseHeader,
  idempotencyKeyHeader,
  ifMatchHeader,
  ifNoneMatchHeader,
  isoDateTime,
  nonEmptyTrimmed,
  paginationQuery,
  queryArray,
  queryBoolean,
  uuidSchema,
} from '@mini/validation';

export const taskStatusSchema = z
  .enum(['todo', 'in_progress', 'done'])
  .meta({ id: 'TaskStatus', example: 'todo' });
export const taskPrioritySchema = z
  .enum(['low', 'medium', 'high', 'urgent'])
  .meta({ id: 'TaskPriority', example: 'high' });

/** Bound of a manual position (a float8 holds integers exactly up to 2^53; this leaves room to split). */
export const MAX_POSITION = 1e12;

const dueAtInput = isoDateTime
  .transform((value) => new Date(value))
  .nullable()
  .optional()
  .meta({ description: 'When the task is due (ISO-8601); null clears it.', example: '2026-05-20T17:00:00Z' });

const labelIdsInput = z
  .array(uuidSchema)
  .max(50)
  .optional()
  .meta({ description: 'The complete set of labels (ids of this project’s labels).' });

export const taskParams = z.object({ taskId: uuidSchema }).strict();

export const createTaskHeaders = z.object({ 'Idempotency-Key': idempotencyKeyHeader });

// Express answers 304 itself when If-None-Match names the ETag a GET sets.
export const getTaskHeaders = z.object({ 'If-None-Match': ifNoneMatchHeader });

export const conditionalWriteHeaders = z.object({ 'If-Match': ifMatchHeader });

export const etagHeader = etagResponseHeader;

export const createTaskBody = z
  .object({
    title: nonEmptyTrimmed(200).meta({ example: 'Write the launch announcement' }),
    description: z
      .string()
      .max(10_000)
      .nullable()
      .optional()
      .meta({ example: 'Draft for the blog and newsletter' }),
    status: taskStatusSchema.optional(),
    priority: taskPrioritySchema.optional(),
    dueAt: dueAtInput,
    assigneeId: uuidSchema.nullable().optional().meta({ description: 'A member of the project.' }),
    labelIds: labelIdsInput,
    // Bounded so that dropping a task between two others (the mean of their positions) stays exact enough.
    position: z
      .number()
      .min(-MAX_POSITION)
      .max(MAX_POSITION)
      .optional()
      .meta({
        description: `Manual order, at most ${MAX_POSITION} either way; default: after the last task.`,
      }),
  })
  .strict()
  .meta({
    example: {
      title: 'Write the launch announcement',
      priority: 'high',
      dueAt: '2026-05-20T17:00:00Z',
      assigneeId: '5d0c7e3b-2a1f-4b9c-8e6d-7f3a2b1c0d9e',
      labelIds: ['7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d'],
    },
  });

export const updateTaskBody = createTaskBody
  .partial()
  .extend({
    projectId: uuidSchema
      .optional()
      .meta({ description: 'Move the task to this project (write access to both).' }),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { error: 'Send at least one field to change' })
  .meta({ example: { status: 'done' } });

const sortSchema = z.enum(['position', 'due', 'priority', 'created']);

function listQuery(defaultSort: z.infer<typeof sortSchema>) {
  return paginationQuery
    .extend({
      status: queryArray(taskStatusSchema)
        .optional()
        .meta({ description: 'One or more, comma-separated.', example: 'todo,in_progress' }),
      priority: queryArray(taskPrioritySchema)
        .optional()
        .meta({ description: 'One or more, comma-separated.', example: 'high,urgent' }),
      assignee: z
        .union([z.literal('me'), z.literal('none'), uuidSchema])
        .optional()
        .meta({ description: 'A user id, `me`, or `none` (unassigned).', example: 'me' }),
      label: uuidSchema.optional().meta({ description: 'Only tasks with this label.' }),
      dueBefore: isoDateTime
        .transform((v) => new Date(v))
        .optional()
        .meta({ description: 'Due strictly before.' }),
      dueAfter: isoDateTime
        .transform((v) => new Date(v))
        .optional()
        .meta({ description: 'Due at or after.' }),
      overdue: queryBoolean()
        .optional()
        .meta({ description: 'Past due and not done (true), or not (false).' }),
      q: z
        .string()
        .trim()
        .min(1)
        .max(100)
        .optional()
        .meta({ description: 'Text in the title or description (case-insensitive).', example: 'launch' }),
      sort: sortSchema.default(defaultSort).meta({ description: `Sort key; default ${defaultSort}.` }),
      order: z
        .enum(['asc', 'desc'])
        .optional()
        .meta({ description: 'Default: due asc, priority desc (urgent first), created desc, position asc.' }),
    })
    .strict();
}

export const listProjectTasksQuery = listQuery('position');
export const listMyTasksQuery = listQuery('due');

export const bulkBody = z
  .object({
    taskIds: z.array(uuidSchema).min(1).max(100).meta({ description: 'Up to 100 task ids.' }),
    set: z
      .object({
        status: taskStatusSchema.optional(),
        assigneeId: uuidSchema.nullable().optional(),
        addLabelIds: z.array(uuidSchema).max(50).optional(),
        removeLabelIds: z.array(uuidSchema).max(50).optional(),
      })
      .strict()
      .refine((set) => Object.keys(set).length > 0, { error: 'Send at least one change' }),
  })
  .strict()
  .meta({
    example: {
      taskIds: ['0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', '1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f'],
      set: { status: 'done' },
    },
  });

export const taskSchema = z
  .object({
    id: uuidSchema,
    projectId: uuidSchema,
    title: z.string(),
    description: z.string().nullable(),
    status: taskStatusSchema,
    priority: taskPrioritySchema,
    dueAt: isoDateTime.nullable(),
    assigneeId: uuidSchema.nullable(),
    labelIds: z.array(uuidSchema),
    position: z.number(),
    completedAt: isoDateTime.nullable(),
    version: z.number().int().meta({ description: 'Also sent as the ETag; send it back in If-Match.' }),
    createdBy: uuidSchema,
    updatedBy: uuidSchema,
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .meta({
    id: 'Task',
    example: {
      id: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
      projectId: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60',
      title: 'Write the launch announcement',
      description: null,
      status: 'in_progress',
      priority: 'high',
      dueAt: '2026-05-20T17:00:00.000Z',
      assigneeId: '5d0c7e3b-2a1f-4b9c-8e6d-7f3a2b1c0d9e',
      labelIds: ['7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d'],
      position: 1024,
      completedAt: null,
      version: 2,
      createdBy: '9b2e4c1a-6d3f-4a8b-9c7e-2f1a0b3c4d5e',
      updatedBy: '5d0c7e3b-2a1f-4b9c-8e6d-7f3a2b1c0d9e',
      createdAt: '2026-05-01T09:15:00.000Z',
      updatedAt: '2026-05-02T14:30:00.000Z',
    },
  });

export const taskPageSchema = cursorPageSchema(taskSchema, 'TaskPage');

export const bulkResultSchema = z
  .object({ items: z.array(taskSchema) })
  .meta({ id: 'BulkResult', example: { items: [taskSchema.meta()?.example] } });

export const activitySchema = z
  .object({
    id: z.string().meta({ description: 'Sequence number, increasing with time.' }),
    taskId: uuidSchema,
    actorId: uuidSchema,
    action: z.enum(['created', 'updated']),
    field: z.string().nullable(),
    oldValue: z.unknown(),
    newValue: z.unknown(),
    createdAt: isoDateTime,
  })
  .meta({
    id: 'Activity',
    example: {
      id: '42',
      taskId: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
      actorId: '5d0c7e3b-2a1f-4b9c-8e6d-7f3a2b1c0d9e',
      action: 'updated',
      field: 'status',
      oldValue: 'todo',
      newValue: 'in_progress',
      createdAt: '2026-05-02T14:30:00.000Z',
    },
  });

export const activityPageSchema = cursorPageSchema(activitySchema, 'ActivityPage');
export const listActivityQuery = paginationQuery;
