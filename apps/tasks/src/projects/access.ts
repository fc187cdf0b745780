import { ConflictError, ForbiddenError, NotFoundError } from '@mini/http';
import type { ProjectRole } from '../generated/prisma/enums.ts';

export type Access = 'read' | 'write' | 'manage';

// read: see the project and everything in it; write: tasks and labels; manage: the project itself and its members.
const ROLES_FOR: Record<Access, readonly ProjectRole[]> = {
  read: ['owner', 'editor', 'viewer'],
  write: ['owner', 'editor'],
  manage: ['owner'],
};

/**
 * Not a member and "does not exist" are the same answer, 404: a different answer would let anyone probe
 * which project ids exist (BOLA). Only a member learns that they lack a role, as 403.
 */
export function projectNotFound(): NotFoundError {
  return new NotFoundError('The project was not found.', { code: 'project-not-found' });
}

export function taskNotFound(): NotFoundError {
  return new NotFoundError('The task was not found.', { code: 'task-not-found' });
}

export function assertRole(role: ProjectRole, access: Access): void {
  if (!ROLES_FOR[access].includes(role)) {
    const needed = access === 'manage' ? 'an owner' : 'an owner or editor';
    throw new ForbiddenError(`Your role in this project is ${role}; this needs ${needed}.`, {
      code: 'insufficient-project-role',
    });
  }
}

/** An archived project is read-only until it is unarchived. */
export function assertNotArchived(archived: boolean): void {
  if (archived) {
    throw new ConflictError('The project is archived; unarchive it to change its tasks.', {
      code: 'project-archived',
    });
  }
}
