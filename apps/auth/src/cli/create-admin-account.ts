import type { PrismaClient } from '../generated/prisma/client.ts';
import { createPasswordHasher } from '../passwords/password-hasher.ts';
import { passwordProblems } from '../passwords/password-policy.ts';
import { createUsersRepository, type UserRecord } from '../users/users.repository.ts';
import { emailSchema, usernameSchema } from '../users/users.schemas.ts';

/**
 * The core of the create-admin command, separate from argument parsing so a test can run it.
 * An existing account with that email is promoted (its password is left alone); otherwise a new,
 * already-verified admin account is created, under the same rules as registration.
 */
export async function createAdminAccount(
  prisma: PrismaClient,
  input: { email: string; username: string; password: string; bcryptCost: number },
): Promise<{ created: boolean; user: UserRecord }> {
  const email = emailSchema.parse(input.email);
  const username = usernameSchema.parse(input.username);
  const users = createUsersRepository(prisma);

  const existing = await users.findByEmail(email);
  if (existing) {
    const user =
      existing.role === 'admin' ? existing : await users.updateAdminFields(existing.id, { role: 'admin' });
    return { created: false, user };
  }
  const problems = passwordProblems(input.password, { email, username });
  if (problems.length > 0) throw new Error(`password refused: ${problems.join(' ')}`);
  const hasher = createPasswordHasher(input.bcryptCost);
  const user = await users.create({
    email,
    username,
    passwordHash: await hasher.hash(input.password),
    role: 'admin',
  });
  return { created: true, user: await users.markEmailVerified(user.id) };
}
