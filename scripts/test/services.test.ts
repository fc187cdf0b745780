import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  discoveryEnv,
  listServices,
  REPO_ROOT,
  ServiceDeclarationError,
  withDependencies,
} from '../lib/services.ts';
import { fakeRepo } from './fixtures.ts';

describe('listServices', () => {
  it('lists every app by port with what it needs, in either form, and whether it can run', () => {
    const root = fakeRepo({
      tasks: { mini: { port: 3002, needs: { auth: 'tokens' } } },
      auth: { mini: { port: 3001 } },
      notes: { mini: { port: 3006, needs: ['auth'] }, server: false },
    });
    expect(listServices(root).map(({ dir: _dir, ...service }) => service)).toEqual([
      { name: 'auth', port: 3001, needs: [], runnable: true },
      { name: 'tasks', port: 3002, needs: [{ service: 'auth', why: 'tokens' }], runnable: true },
      { name: 'notes', port: 3006, needs: [{ service: 'auth', why: '' }], runnable: false },
    ]);
  });

  it.each([
    ['no declaration', { a: {} }, 'apps/a/package.json declares no "mini": { "port": ... }'],
    [
      'a port that is not one',
      { a: { mini: { port: '3001' } } },
      '"mini.port" must be a port number, got "3001"',
    ],
    ['a port out of range', { a: { mini: { port: 70000 } } }, '"mini.port" must be a port number, got 70000'],
    ['needs that are not names', { a: { mini: { port: 1, needs: 'b' } } }, '"mini.needs" must name services'],
    [
      'two apps on one port',
      { a: { mini: { port: 1 } }, b: { mini: { port: 1 } } },
      'apps/a and apps/b both declare port 1',
    ],
    [
      'a need that is no app',
      { a: { mini: { port: 1, needs: ['nope'] } } },
      'needs "nope", which is no app under apps/',
    ],
    ['a service that needs itself', { a: { mini: { port: 1, needs: ['a'] } } }, 'needs "a", which is itself'],
    [
      'services that need each other',
      { a: { mini: { port: 1, needs: ['b'] } }, b: { mini: { port: 2, needs: ['a'] } } },
      'services need each other in a circle: a -> b -> a',
    ],
    ['a package.json that is not JSON', { a: { packageJson: '{' } }, 'apps/a/package.json: '],
  ])('when an app declares %s, refuses naming it', (_case, apps, message) => {
    const root = fakeRepo(apps);
    expect(() => listServices(root)).toThrow(ServiceDeclarationError);
    expect(() => listServices(root)).toThrow(message);
  });

  it("this repository's apps declare their ports and needs, and each config defaults to its declared port", () => {
    const services = listServices(REPO_ROOT);
    expect(services.find((service) => service.name === 'tasks')?.needs.map((need) => need.service)).toEqual([
      'auth',
    ]);
    for (const service of services.filter((s) => s.runnable)) {
      // A service started without the orchestrator listens on its config's default: the same port.
      const config = readFileSync(path.join(service.dir, 'src/config.ts'), 'utf8');
      expect(config, service.name).toContain(`PORT: portSchema(${service.port})`);
    }
  });
});

describe('withDependencies', () => {
  const services = listServices(
    fakeRepo({
      auth: { mini: { port: 3001 } },
      tasks: { mini: { port: 3002, needs: { auth: 'tokens' } } },
      chat: { mini: { port: 3005, needs: { tasks: 'rooms' } } },
    }),
  );

  it('starts what a service needs first, saying who needs it and what for', () => {
    expect(withDependencies(services, ['tasks'])).toEqual({
      order: ['auth', 'tasks'],
      added: [{ service: 'auth', neededBy: 'tasks', why: 'tokens' }],
    });
  });

  it('follows needs through other needs', () => {
    expect(withDependencies(services, ['chat'])).toEqual({
      order: ['auth', 'tasks', 'chat'],
      added: [
        { service: 'tasks', neededBy: 'chat', why: 'rooms' },
        { service: 'auth', neededBy: 'tasks', why: 'tokens' },
      ],
    });
  });

  it('adds nothing that was asked for anyway, and starts each service once', () => {
    expect(withDependencies(services, ['tasks', 'auth', 'chat'])).toEqual({
      order: ['auth', 'tasks', 'chat'],
      added: [],
    });
  });
});

describe('discoveryEnv', () => {
  const services = listServices(
    fakeRepo({ auth: { mini: { port: 3001 } }, 'url-shortener': { mini: { port: 3006 } } }),
  );

  it('tells every service where the others listen, from the declared ports', () => {
    expect(discoveryEnv(services, {})).toEqual({
      AUTH_PORT: '3001',
      AUTH_URL: 'http://localhost:3001',
      URL_SHORTENER_PORT: '3006',
      URL_SHORTENER_URL: 'http://localhost:3006',
    });
  });

  it('when <NAME>_PORT is set, the service moves there; when <NAME>_URL is set, that is where it is', () => {
    const env = discoveryEnv(services, { AUTH_PORT: '4001', URL_SHORTENER_URL: 'https://short.example' });
    expect(env).toMatchObject({
      AUTH_PORT: '4001',
      AUTH_URL: 'http://localhost:4001',
      URL_SHORTENER_URL: 'https://short.example',
    });
  });

  it('when <NAME>_PORT is not a port, refuses naming the variable', () => {
    expect(() => discoveryEnv(services, { AUTH_PORT: 'abc' })).toThrow(
      'AUTH_PORT must be a port number, got "abc"',
    );
  });
});
