import { ValidationError } from '@mini/http';
import commonPasswords from './common-passwords.json' with { type: 'json' };

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 64;

const COMMON = new Set(commonPasswords.passwords);

/** Counts characters as a person does: an emoji or an accented letter is one, not two UTF-16 units. */
function characterCount(password: string): number {
  return [...password.normalize('NFKC')].length;
}

export interface PasswordContext {
  email?: string;
  username?: string;
}

/**
 * What attackers try first, whatever the length: the most common passwords, one or a few characters
 * repeated (`aaaaaaaa`, `abababab`), and one short word with a few digits after it (`bonjour1`, `summer2024`).
 */
function guessableProblem(lowered: string): string | undefined {
  if (COMMON.has(lowered)) {
    return 'This password is one of the most commonly used passwords; choose one that is harder to guess.';
  }
  if (new Set(lowered).size < 4) {
    return 'This password repeats the same few characters; choose one that is harder to guess.';
  }
  if (/^\p{L}{1,10}\d{1,4}$/u.test(lowered)) {
    return 'One word followed by a few digits is among the first guesses; add another word or two.';
  }
  return undefined;
}

export interface PasswordPolicyOptions {
  /**
   * Refuse the guessable passwords: the most common ones, repeated characters, one word and digits
   * (default true). PASSWORD_COMMON_CHECK=off turns it off for API test
   * collections that register `password123` (RealWorld's do); never for real users.
   */
  commonCheck?: boolean;
}

/**
 * NIST SP 800-63B: length is what matters (8 to 64 characters, any characters, spaces included), no
 * composition rules ("one digit, one symbol" only produces Password1!), and passwords known to attackers
 * are refused. Returns the problems found, in words a user can act on; an empty list means acceptable.
 */
export function passwordProblems(
  password: string,
  context: PasswordContext = {},
  options: PasswordPolicyOptions = {},
): string[] {
  const length = characterCount(password);
  if (length < PASSWORD_MIN_LENGTH) return [`Use at least ${PASSWORD_MIN_LENGTH} characters.`];
  if (length > PASSWORD_MAX_LENGTH) return [`Use at most ${PASSWORD_MAX_LENGTH} characters.`];

  const lowered = password.normalize('NFKC').toLowerCase();
  if (options.commonCheck !== false) {
    const guessable = guessableProblem(lowered);
    if (guessable) return [guessable];
  }
  const contextual = [
    context.email?.toLowerCase(),
    context.email?.split('@')[0]?.toLowerCase(),
    context.username?.toLowerCase(),
  ];
  if (contextual.some((word) => word !== undefined && word.length > 0 && lowered === word)) {
    return ['Do not use your email address or username as your password.'];
  }
  return [];
}

/** 422 `weak-password` with the problems under `field`; by default what the policy says of "password". */
export function weakPassword(field: string, problems = passwordProblems('password')): ValidationError {
  return new ValidationError(problems[0] ?? 'Choose another password.', {
    code: 'weak-password',
    errors: { [field]: problems },
  });
}

export interface PasswordPolicy {
  /** Throws 422 (`weak-password`, errors.<field>) when the password breaks the policy. */
  assertAcceptable(field: string, password: string, context: PasswordContext): void;
}

export function createPasswordPolicy(options: PasswordPolicyOptions = {}): PasswordPolicy {
  return {
    assertAcceptable(field, password, context) {
      const problems = passwordProblems(password, context, options);
      if (problems.length > 0) throw weakPassword(field, problems);
    },
  };
}
