import { describe, expect, it } from 'vitest';
import { parseArgs, planRun, UsageError } from '../lib/run-plan.ts';
import { listServices } from '../lib/services.ts';
import { fakeRepo } from './fixtures.ts';

const nothingListens = async () => false;

function repo() {
  return listServices(
    fakeRepo({
      auth: { mini: { port: 3001 } },
      tasks: { mini: { port: 3002, needs: { auth: 'tokens' } } },
      blog: { mini: { port: 3003, needs: ['auth'] } },
      chat: { mini: { port: 3005, needs: ['auth'] }, server: false },
    }),
  );
}

describe('parseArgs', () => {
  it('reads the mode, every filter in either form, and --only', () => {
    expect(parseArgs(['dev', '--filter', 'tasks', '--filter=blog', '--only'])).toEqual({
      mode: 'dev',
      filters: ['tasks', 'blog'],
      only: true,
    });
    expect(parseArgs(['start', '--', '--filter', 'tasks'])).toEqual({
      mode: 'start',
      filters: ['tasks'],
      only: false,
    });
  });

  it.each([
    [['serve'], 'usage: node scripts/run.ts dev|start'],
    [['dev', '--filer', 'tasks'], 'unknown argument --filer'],
    [['dev', '--only'], '--only needs at least one --filter NAME'],
  ])('when the arguments are %j, refuses with a usage line', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('planRun', () => {
  it('when a service needs another, starts that one first and says why in one line', async () => {
    const plan = await planRun(repo(), { filters: ['tasks'], only: false }, {}, nothingListens);
    expect(plan.start).toEqual(['auth', 'tasks']);
    expect(plan.notes).toEqual(['starting auth: tasks needs it for tokens']);
    expect(plan.discovery).toMatchObject({ AUTH_URL: 'http://localhost:3001', TASKS_PORT: '3002' });
  });

  it('when the need does not say what for, the line says who needs it', async () => {
    const plan = await planRun(repo(), { filters: ['blog'], only: false }, {}, nothingListens);
    expect(plan.notes).toEqual(['starting auth: blog needs it']);
  });

  it('when two services need the same one, it starts once', async () => {
    const plan = await planRun(repo(), { filters: ['blog', 'tasks'], only: false }, {}, nothingListens);
    expect(plan.start).toEqual(['auth', 'tasks', 'blog']);
    expect(plan.notes).toEqual(['starting auth: tasks needs it for tokens']);
  });

  it('without filters, starts every service that can run', async () => {
    const plan = await planRun(repo(), { filters: [], only: false }, {}, nothingListens);
    expect(plan.start).toEqual(['auth', 'tasks', 'blog']);
    expect(plan.notes).toEqual([]);
  });

  it('with --only, starts the filtered services alone and says where the others are expected', async () => {
    const plan = await planRun(repo(), { filters: ['tasks'], only: true }, {}, nothingListens);
    expect(plan.start).toEqual(['tasks']);
    expect(plan.notes).toEqual([
      'not starting auth (--only): tasks expects it at http://localhost:3001 (AUTH_URL)',
    ]);

    const elsewhere = await planRun(
      repo(),
      { filters: ['tasks'], only: true },
      { AUTH_URL: 'https://auth.example' },
      nothingListens,
    );
    expect(elsewhere.notes).toEqual([
      'not starting auth (--only): tasks expects it at https://auth.example (AUTH_URL)',
    ]);
    expect(elsewhere.discovery.AUTH_URL).toBe('https://auth.example');
  });

  it('when a needed service already answers on its port, uses it instead of starting a second one', async () => {
    const listening = new Set([3001]);
    const plan = await planRun(repo(), { filters: ['tasks'], only: false }, {}, async (port) =>
      listening.has(port),
    );
    expect(plan.start).toEqual(['tasks']);
    expect(plan.notes).toEqual([
      'auth already answers on port 3001 (another terminal?): using it; tasks needs it for tokens',
    ]);
  });

  it('when a needed service has moved (AUTH_PORT), looks for it there and tells the others', async () => {
    const asked: number[] = [];
    const plan = await planRun(
      repo(),
      { filters: ['tasks'], only: false },
      { AUTH_PORT: '4001' },
      async (port) => {
        asked.push(port);
        return false;
      },
    );
    expect(asked).toEqual([4001]);
    expect(plan.discovery).toMatchObject({ AUTH_PORT: '4001', AUTH_URL: 'http://localhost:4001' });
  });

  it('PORT moves the one service asked for, not what it needs; with several asked for, it is ignored', async () => {
    const one = await planRun(repo(), { filters: ['tasks'], only: false }, { PORT: '4002' }, nothingListens);
    expect(one.discovery).toMatchObject({ TASKS_PORT: '4002', AUTH_PORT: '3001' });

    const two = await planRun(
      repo(),
      { filters: ['tasks', 'blog'], only: false },
      { PORT: '4002' },
      nothingListens,
    );
    expect(two.discovery).toMatchObject({ TASKS_PORT: '3002', BLOG_PORT: '3003' });
    expect(two.notes).toContain(
      'PORT is ignored when several services are asked for: set <NAME>_PORT (TASKS_PORT=4002) instead',
    );
  });

  it('when a filter names no runnable app, refuses listing the apps', async () => {
    await expect(planRun(repo(), { filters: ['chat'], only: false }, {}, nothingListens)).rejects.toThrow(
      'unknown app chat; apps: auth, tasks, blog',
    );
  });

  it('when a needed service cannot run yet, refuses saying which and why', async () => {
    const services = listServices(
      fakeRepo({
        auth: { mini: { port: 3001 }, server: false },
        tasks: { mini: { port: 3002, needs: { auth: 'tokens' } } },
      }),
    );
    await expect(planRun(services, { filters: ['tasks'], only: false }, {}, nothingListens)).rejects.toThrow(
      'tasks needs it for tokens, but apps/auth has no src/server.ts yet',
    );
  });
});
