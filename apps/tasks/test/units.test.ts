import { describe, expect, it } from 'vitest';
import { diffTask } from '../src/tasks/tasks.diff.ts';
import type { TaskRecord } from '../src/tasks/tasks.repository.ts';

describe('diffTask', () => {
  const task: TaskRecord = {
    id: 't',
    projectId: 'p',
    title: 'A',
    description: null,
    status: 'done',
    priority: 'medium',
    dueAt: new Date('2026-05-01T00:00:00Z'),
    assigneeId: null,
    labelIds: ['b', 'a'],
    position: 1024,
    completedAt: new Date('2026-04-01T00:00:00Z'),
    version: 4,
    createdBy: 'u',
    updatedBy: 'u',
    createdAt: new Date(),
    updatedAt: new Date(),
  };

  it('records nothing for values that do not change (same date, same label set in another order)', () => {
    const { fields } = diffTask(
      task,
      { title: 'A', dueAt: new Date('2026-05-01T00:00:00Z'), labelIds: ['a', 'b'] },
      new Date(),
    );
    expect(fields).toEqual([]);
  });

  it('leaving done clears completedAt and records both changes', () => {
    const { changes, fields } = diffTask(task, { status: 'todo' }, new Date());
    expect(changes).toEqual({ status: 'todo', completedAt: null });
    expect(fields.map((f) => f.field)).toEqual(['status', 'completedAt']);
  });
});
