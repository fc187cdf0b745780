import { Router } from 'express';
import type { ApiRegistry } from '@mini/validation';
import { forbidden, writers } from '../shared/access.ts';
import type { LocationRecord } from './locations.repository.ts';
import {
  createLocationBody,
  listLocationsQuery,
  locationPageSchema,
  locationParams,
  locationSchema,
} from './locations.schemas.ts';
import { locationNotFound, unknownParent, type LocationsService } from './locations.service.ts';

const toDto = (location: LocationRecord) => ({ ...location, createdAt: location.createdAt.toISOString() });
const tags = ['Locations'];

export function locationRoutes(api: ApiRegistry, locations: LocationsService): Router {
  const router = Router();

  api.route(router, {
    method: 'get',
    path: '/locations',
    summary: 'List locations by name (all, the top level, or those inside one)',
    tags,
    auth: true,
    query: listLocationsQuery,
    responses: { 200: { description: 'A page of locations.', schema: locationPageSchema } },
    handler: async ({ query }) => {
      const page = await locations.list(query);
      return { items: page.items.map(toDto), nextCursor: page.nextCursor };
    },
  });

  api.route(router, {
    method: 'post',
    path: '/locations',
    summary: 'Create a warehouse, or a bin inside another location (manager or admin)',
    tags,
    auth: true,
    middleware: writers,
    body: createLocationBody,
    responses: {
      201: {
        description: 'The new location.',
        schema: locationSchema,
        headers: { Location: { description: 'The new location: `/locations/{locationId}`.' } },
      },
      403: forbidden,
      422: { description: 'Validation failed, or the parent does not exist.', problems: [unknownParent()] },
    },
    handler: async ({ res, body }) => {
      const location = await locations.create(body);
      res.location(`/locations/${location.id}`);
      return toDto(location);
    },
  });

  api.route(router, {
    method: 'get',
    path: '/locations/:locationId',
    summary: 'Get a location',
    tags,
    auth: true,
    params: locationParams,
    responses: {
      200: { description: 'The location.', schema: locationSchema },
      404: { description: 'No such location.', problems: [locationNotFound()] },
    },
    handler: async ({ params }) => toDto(await locations.get(params.locationId)),
  });

  return router;
}
