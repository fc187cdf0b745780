import { ForbiddenError, UnauthorizedError, ValidationError } from '@mini/http';
import type { Logger } from '@mini/logger';
import type { Mailer } from '../mail/mailer.ts';
import type {
  OneTimeTokenPurpose,
  OneTimeTokensRepository,
} from '../one-time-tokens/one-time-tokens.repository.ts';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import type { PasswordPolicy } from '../passwords/password-policy.ts';
import { hashOpaqueToken, newOpaqueToken } from '../security/opaque-tokens.ts';
import type { ClientInfo, SessionsService, TokenPair } from '../sessions/sessions.service.ts';
import type { LoginThrottle } from '../throttle/login-throttle.ts';
import type { MailRateLimit } from '../throttle/mail-rate-limit.ts';
import type { AccountCreator } from '../users/account-creation.ts';
import type { UserRecord, UsersRepository } from '../users/users.repository.ts';
import type { Store } from '../repositories.ts';

export interface AuthServiceDeps {
  users: UsersRepository;
  accounts: AccountCreator;
  oneTimeTokens: OneTimeTokensRepository;
  /** For the writes that must commit together (a new link and the voiding of the old ones). */
  store: Pick<Store, 'transaction'>;
  sessions: SessionsService;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  throttle: LoginThrottle;
  mailLimit: MailRateLimit;
  mailer: Mailer;
  logger: Logger;
  settings: {
    publicAppUrl: string;
    publicApiUrl: string;
    emailVerificationTtlSeconds: number;
    passwordResetTtlSeconds: number;
    requireEmailVerification: boolean;
  };
}

export function invalidCredentials(): UnauthorizedError {
  // Word for word the same for an unknown email, a wrong password and a disabled account.
  return new UnauthorizedError('The email or password is incorrect.', { code: 'invalid-credentials' });
}

export function invalidLink(): ValidationError {
  return new ValidationError('The link is invalid, already used or expired. Ask for a new one.', {
    code: 'invalid-or-expired-token',
    errors: { token: ['is invalid, already used or expired'] },
  });
}

export function emailNotVerified(): ForbiddenError {
  return new ForbiddenError('Confirm your email address first: follow the link we sent you.', {
    code: 'email-not-verified',
  });
}

export function createAuthService(deps: AuthServiceDeps) {
  const {
    users,
    accounts,
    oneTimeTokens,
    sessions,
    hasher,
    policy,
    throttle,
    mailLimit,
    mailer,
    logger,
    settings,
  } = deps;

  function frontEndLink(path: string, token: string): string {
    return new URL(`${path}?token=${encodeURIComponent(token)}`, settings.publicAppUrl).toString();
  }

  /**
   * The shape every token mail shares: a fresh single-use token (only its hash stored, earlier ones void),
   * then a mail leading with the exact API call that spends it, a curl command (this service has no web
   * pages), and the link a front end at PUBLIC_APP_URL would serve.
   */
  async function sendTokenEmail(
    user: UserRecord,
    mail: {
      purpose: OneTimeTokenPurpose;
      ttlSeconds: number;
      subject: string;
      intro: string;
      apiPath: string;
      /** The JSON body, given the token. */
      body: (token: string) => Record<string, string>;
      frontEndPath: string;
      validity: string;
      outro?: string;
    },
  ): Promise<void> {
    const token = newOpaqueToken();
    // Only the latest link works: the earlier unused ones are voided in the same transaction.
    await deps.store.transaction(async (tx) => {
      await tx.oneTimeTokens.voidUnused(user.id, mail.purpose);
      await tx.oneTimeTokens.create({
        userId: user.id,
        purpose: mail.purpose,
        tokenHash: hashOpaqueToken(token),
        expiresAt: new Date(Date.now() + mail.ttlSeconds * 1000),
      });
    });
    const apiUrl = new URL(mail.apiPath, settings.publicApiUrl).toString();
    await mailer.send({
      to: user.email,
      subject: mail.subject,
      text: [
        `Hello ${user.username},`,
        '',
        `${mail.intro} send this request to the API:`,
        '',
        `  curl -X POST ${apiUrl} -H 'content-type: application/json' -d '${JSON.stringify(mail.body(token))}'`,
        '',
        'If your application has a front end, it links here instead (the page reads the token and makes the same call):',
        frontEndLink(mail.frontEndPath, token),
        '',
        mail.validity,
        ...(mail.outro ? [mail.outro] : []),
      ].join('\n'),
    });
  }

  function sendVerificationEmail(user: UserRecord): Promise<void> {
    return sendTokenEmail(user, {
      purpose: 'verify_email',
      ttlSeconds: settings.emailVerificationTtlSeconds,
      subject: 'Confirm your email address',
      intro: 'To confirm your email address,',
      apiPath: '/auth/verify-email',
      body: (token) => ({ token }),
      frontEndPath: '/verify-email',
      validity: `The token works once and expires in ${Math.round(settings.emailVerificationTtlSeconds / 3600)} hours.`,
    });
  }

  async function sendResetEmail(email: string): Promise<void> {
    const user = await users.findByEmail(email);
    if (!user || user.disabledAt) return;
    await sendTokenEmail(user, {
      purpose: 'reset_password',
      ttlSeconds: settings.passwordResetTtlSeconds,
      subject: 'Reset your password',
      intro: 'Someone (hopefully you) asked to reset your password. To choose a new one,',
      apiPath: '/auth/reset-password',
      body: (token) => ({ token, password: '<your new password>' }),
      frontEndPath: '/reset-password',
      validity: `The token works once and expires in ${Math.round(settings.passwordResetTtlSeconds / 60)} minutes.`,
      outro: 'If you did not ask for this, ignore this email: your password stays as it is.',
    });
  }

  return {
    /**
     * Creates the account and starts its verification mail without waiting for it: `mailSent` settles once
     * the mail is out (or its failure logged; it never rejects). The route answers at once and keeps
     * graceful shutdown waiting for `mailSent` (the mail also writes its token to the database).
     */
    async register(
      input: { email: string; username: string; password: string },
      client: ClientInfo,
    ): Promise<{ user: UserRecord; mailSent: Promise<void> }> {
      // Every registration mails the address: the same limits as the other mail-sending requests.
      await mailLimit.assertAllowed(input.email, client.ip ?? 'unknown');
      const user = await accounts.create(input);
      // A mail server hiccup must not fail the registration: the user can ask for a new link.
      const mailSent = sendVerificationEmail(user).catch((err: unknown) =>
        logger.error({ err, userId: user.id }, 'could not send the verification email'),
      );
      return { user, mailSent };
    },

    async login(input: { email: string; password: string }, client: ClientInfo): Promise<TokenPair> {
      // Overloaded: refuse before any database work (the throttle's reservations included).
      hasher.assertCapacity();
      // The throttle reserves this attempt before the password check and counts it if it fails.
      const user = await throttle.guard(input.email, client.ip ?? 'unknown', async () => {
        const found = await users.findByEmail(input.email);
        // Unknown email: compare against a dummy hash anyway, so both failures take the same time.
        const passwordOk = found
          ? await hasher.verify(input.password, found.passwordHash)
          : await hasher.verifyAgainstDummy(input.password);
        return found && passwordOk && !found.disabledAt ? found : null;
      });
      if (!user) throw invalidCredentials();
      if (settings.requireEmailVerification && !user.emailVerifiedAt) {
        throw emailNotVerified();
      }

      // A hash from before the pepper, from a previous pepper, or at another BCRYPT_COST is replaced the
      // next time its owner signs in (the only moment the password is known).
      if (hasher.needsRehash(user.passwordHash)) {
        await users.updatePasswordHash(user.id, await hasher.hash(input.password));
      }
      return sessions.start(user, client);
    },

    /**
     * After an email change: a verification mail to the new address (unverified until its link is followed)
     * and a notice to the old one, so the owner learns of a change they did not make. Never rejects.
     */
    async emailChanged(user: UserRecord, previousEmail: string): Promise<void> {
      await Promise.all([
        sendVerificationEmail(user).catch((err: unknown) =>
          logger.error({ err, userId: user.id }, 'could not send the verification email'),
        ),
        mailer
          .send({
            to: previousEmail,
            subject: 'Your email address was changed',
            text: [
              `Hello ${user.username},`,
              '',
              `The email address of your account was changed from ${previousEmail} to ${user.email}.`,
              "If you did not make this change, your account may be in someone else's hands: contact support.",
            ].join('\n'),
          })
          .catch((err: unknown) =>
            logger.error({ err, userId: user.id }, 'could not send the email-changed notice'),
          ),
      ]);
    },

    async verifyEmail(token: string): Promise<void> {
      const userId = await oneTimeTokens.consume(hashOpaqueToken(token), 'verify_email');
      if (!userId) throw invalidLink();
      await users.markEmailVerified(userId);
    },

    async resendVerification(userId: string, client: ClientInfo): Promise<void> {
      const user = await users.findById(userId);
      if (!user || user.emailVerifiedAt) return;
      await mailLimit.assertAllowed(user.email, client.ip ?? 'unknown');
      await sendVerificationEmail(user);
    },

    /**
     * Always the same quick answer, whether or not the email is registered: the look-up and the mail
     * happen after the response, so neither the body nor the timing tells an attacker anything. (Only the
     * rate limit, which counts every typed email alike, comes first.) `mailSent` settles once that is done
     * (it never rejects), for the route to keep graceful shutdown waiting for it.
     */
    async forgotPassword(email: string, client: ClientInfo): Promise<{ mailSent: Promise<void> }> {
      // Counted by the email as typed, registered or not: a 429 reveals nothing either.
      await mailLimit.assertAllowed(email, client.ip ?? 'unknown');
      const mailSent = sendResetEmail(email).catch((err: unknown) =>
        logger.error({ err }, 'could not send the password reset email'),
      );
      return { mailSent };
    },

    async resetPassword(input: { token: string; password: string }): Promise<void> {
      const tokenHash = hashOpaqueToken(input.token);
      const userId = await oneTimeTokens.peek(tokenHash, 'reset_password');
      const user = userId ? await users.findById(userId) : null;
      if (!user || user.disabledAt) throw invalidLink();
      // Checked before the token is spent, so a rejected password leaves the link usable.
      policy.assertAcceptable('password', input.password, user);
      const passwordHash = await hasher.hash(input.password);
      if ((await oneTimeTokens.consume(tokenHash, 'reset_password')) !== user.id) throw invalidLink();
      await users.updatePasswordHash(user.id, passwordHash);
      // Whoever knew the old password may be signed in somewhere: every session ends.
      await sessions.endAllOfUser(user.id, 'password-reset');
      // Following the emailed link proves the mailbox, as verification would.
      if (!user.emailVerifiedAt) await users.markEmailVerified(user.id);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
