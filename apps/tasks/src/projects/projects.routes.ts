import { Router } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { actorOf } from '../shared/actor.ts';
import type { ProjectForMember } from './projects.repository.ts';
import {
  createProjectBody,
  listProjectsQuery,
  projectPageSchema,
  projectParams,
  projectSchema,
  updateProjectBody,
  type ProjectDto,
} from './projects.schemas.ts';
import type { ProjectsService } from './projects.service.ts';

export function toProjectDto(project: ProjectForMember): ProjectDto {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    archived: project.archivedAt !== null,
    archivedAt: project.archivedAt?.toISOString() ?? null,
    role: project.role,
    createdBy: project.createdBy,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}

const notFound = { description: 'No such project, or you are not a member of it.' };
const tags = ['Projects'];

export function projectRoutes(api: ApiRegistry, projects: ProjectsService): Router {
  const router = Router();

  api.route(router, {
    method: 'post',
    path: '/projects',
    summary: 'Create a project (you become its owner)',
    tags,
    auth: true,
    body: createProjectBody,
    responses: {
      201: {
        description: 'The new project.',
        schema: projectSchema,
        headers: { Location: { description: 'The new project: `/projects/{projectId}`.' } },
      },
    },
    handler: async ({ req, res, body }) => {
      const project = await projects.create(actorOf(req), body);
      res.location(`/projects/${project.id}`);
      return toProjectDto(project);
    },
  });

  api.route(router, {
    method: 'get',
    path: '/projects',
    summary: 'List the projects you are a member of',
    description: 'Newest first. Active projects by default; `archived=true` lists the archived ones.',
    tags,
    auth: true,
    query: listProjectsQuery,
    responses: { 200: { description: 'A page of projects.', schema: projectPageSchema } },
    handler: async ({ req, query }) => {
      const result = await projects.list(actorOf(req), query);
      return { items: result.items.map(toProjectDto), nextCursor: result.nextCursor };
    },
  });

  api.route(router, {
    method: 'get',
    path: '/projects/:projectId',
    summary: 'Get a project',
    tags,
    auth: true,
    params: projectParams,
    responses: {
      200: { description: 'The project, with your role in it.', schema: projectSchema },
      404: notFound,
    },
    handler: async ({ req, params }) => toProjectDto(await projects.get(actorOf(req), params.projectId)),
  });

  api.route(router, {
    method: 'patch',
    path: '/projects/:projectId',
    summary: 'Rename, describe, archive or unarchive a project (owner)',
    tags,
    auth: true,
    params: projectParams,
    body: updateProjectBody,
    responses: {
      200: { description: 'The updated project.', schema: projectSchema },
      403: { description: 'You are not an owner of the project.' },
      404: notFound,
    },
    handler: async ({ req, params, body }) =>
      toProjectDto(await projects.update(actorOf(req), params.projectId, body)),
  });

  api.route(router, {
    method: 'delete',
    path: '/projects/:projectId',
    summary: 'Delete a project with all its tasks (owner)',
    tags,
    auth: true,
    params: projectParams,
    responses: {
      204: { description: 'Deleted.' },
      403: { description: 'You are not an owner of the project.' },
      404: notFound,
    },
    handler: async ({ req, params }) => {
      await projects.delete(actorOf(req), params.projectId);
    },
  });

  return router;
}
