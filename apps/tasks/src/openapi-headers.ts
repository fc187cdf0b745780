// The kit's registry documents params, query and body; the request and response headers this service's
// concurrency and retry rules rely on are added to the generated document here.

type Operation = {
  parameters?: unknown[];
  responses?: Record<string, { description?: string; headers?: Record<string, unknown> }>;
};

const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'The ETag of the version you read; a stale one is refused with 412. `*` matches any version.',
  schema: { type: 'string' },
  example: '"3"',
};

const ifNoneMatch = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'The ETag you hold; if the task is unchanged, the answer is 304 with no body.',
  schema: { type: 'string' },
  example: '"3"',
};

const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Makes a retried create safe: the same key and body replay the first answer for 24 hours.',
  schema: { type: 'string', maxLength: 255 },
  example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
};

const etag = { description: 'The task version, for If-Match.', schema: { type: 'string' }, example: '"3"' };

export function documentHeaders(document: Record<string, unknown>): Record<string, unknown> {
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const add = (path: string, method: string, parameter: object | null, etagOn: string | null) => {
    const operation = paths[path]?.[method];
    if (!operation) return;
    if (parameter) operation.parameters = [...(operation.parameters ?? []), parameter];
    const response = etagOn ? operation.responses?.[etagOn] : undefined;
    if (response) response.headers = { ...response.headers, ETag: etag };
  };
  add('/projects/{projectId}/tasks', 'post', idempotencyKey, '201');
  add('/tasks/{taskId}', 'get', ifNoneMatch, '200');
  const get = paths['/tasks/{taskId}']?.get;
  if (get?.responses)
    get.responses['304'] = { description: 'Not modified: your copy (If-None-Match) is current.' };
  add('/tasks/{taskId}', 'patch', ifMatch, '200');
  add('/tasks/{taskId}', 'delete', ifMatch, null);
  return document;
}
