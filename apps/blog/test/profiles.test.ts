import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testUser } from '@mini/testing';
import { asRealWorld, registerUser, useTestAppWithAuth } from './helpers.ts';

const ctx = useTestAppWithAuth();

describe('GET /api/profiles/:username', () => {
  it('when anonymous, returns the profile with following false', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    await asRealWorld(ctx.app, jake)
      .put('/api/user')
      .send({ user: { bio: 'I work at statefarm' } });
    const res = await request(ctx.app).get(`/api/profiles/${jake.username}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      profile: { username: jake.username, bio: 'I work at statefarm', image: null, following: false },
    });
  });

  it('when the username is unknown, returns 404 with errors.profile', async () => {
    const res = await request(ctx.app).get('/api/profiles/nobody_here_at_all');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: { profile: ['not found'] } });
  });

  it('when a token is sent and is not valid, returns 401 rather than answering anonymously', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const res = await request(ctx.app)
      .get(`/api/profiles/${jake.username}`)
      .set('Authorization', 'Token nope');
    expect(res.status).toBe(401);
    expect(res.body.errors.token).toHaveLength(1);
  });

  it('when the username holds NUL or bad percent-encoding, returns a 4xx in the envelope', async () => {
    const nul = await request(ctx.app).get('/api/profiles/a%00b');
    expect(nul.status).toBe(422);
    expect(nul.body.errors.username).toBeDefined();
    const malformed = await request(ctx.app).get('/api/profiles/%ZZ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ errors: { path: ['A path segment is not valid percent-encoding.'] } });
  });
});

describe('follow and unfollow', () => {
  it('when following, answers following true, and the profile says so to the follower only', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const celeb = await registerUser(ctx.app, 'celeb');
    const res = await asRealWorld(ctx.app, jake).post(`/api/profiles/${celeb.username}/follow`);
    expect(res.status).toBe(200);
    expect(res.body.profile).toEqual({ username: celeb.username, bio: null, image: null, following: true });

    const seen = await asRealWorld(ctx.app, jake).get(`/api/profiles/${celeb.username}`);
    expect(seen.body.profile.following).toBe(true);
    const other = await registerUser(ctx.app, 'other');
    expect(
      (await asRealWorld(ctx.app, other).get(`/api/profiles/${celeb.username}`)).body.profile.following,
    ).toBe(false);
    expect((await request(ctx.app).get(`/api/profiles/${celeb.username}`)).body.profile.following).toBe(
      false,
    );
  });

  it('following twice is following once; unfollowing twice is harmless', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const celeb = await registerUser(ctx.app, 'celeb');
    const follow = () => asRealWorld(ctx.app, jake).post(`/api/profiles/${celeb.username}/follow`);
    expect((await follow()).status).toBe(200);
    expect((await follow()).body.profile.following).toBe(true);
    const unfollow = () => asRealWorld(ctx.app, jake).delete(`/api/profiles/${celeb.username}/follow`);
    expect((await unfollow()).body.profile.following).toBe(false);
    const again = await unfollow();
    expect(again.status).toBe(200);
    expect(again.body.profile.following).toBe(false);
    expect(
      (await asRealWorld(ctx.app, jake).get(`/api/profiles/${celeb.username}`)).body.profile.following,
    ).toBe(false);
  });

  it('a token holder who never signed in through the blog can follow (their profile is created)', async () => {
    const celeb = await registerUser(ctx.app, 'celeb');
    const stranger = testUser('stranger');
    const res = await asRealWorld(ctx.app, stranger).post(`/api/profiles/${celeb.username}/follow`);
    expect(res.status).toBe(200);
    expect(res.body.profile.following).toBe(true);
    expect((await request(ctx.app).get(`/api/profiles/${stranger.username}`)).status).toBe(200);
  });

  it('when following yourself, returns 422 with errors.username', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const res = await asRealWorld(ctx.app, jake).post(`/api/profiles/${jake.username}/follow`);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors: { username: ['cannot follow yourself'] } });
  });

  it('when the user is unknown, follow and unfollow return 404', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    expect((await asRealWorld(ctx.app, jake).post('/api/profiles/nobody_here_at_all/follow')).status).toBe(
      404,
    );
    expect((await asRealWorld(ctx.app, jake).delete('/api/profiles/nobody_here_at_all/follow')).status).toBe(
      404,
    );
  });

  it('without a token, follow and unfollow return 401', async () => {
    const celeb = await registerUser(ctx.app, 'celeb');
    expect((await request(ctx.app).post(`/api/profiles/${celeb.username}/follow`)).status).toBe(401);
    expect((await request(ctx.app).delete(`/api/profiles/${celeb.username}/follow`)).status).toBe(401);
  });

  it('a username changed through PUT /api/user is found under its new name, and not the old one', async () => {
    const jake = await registerUser(ctx.app, 'jake');
    const renamed = `${jake.username}_2`;
    await asRealWorld(ctx.app, jake)
      .put('/api/user')
      .send({ user: { username: renamed } });
    expect((await request(ctx.app).get(`/api/profiles/${renamed}`)).status).toBe(200);
    expect((await request(ctx.app).get(`/api/profiles/${jake.username}`)).status).toBe(404);
  });
});
