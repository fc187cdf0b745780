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
 * NIST SP 800-63B: length is what matters (8 to 64 characters, any characters, spaces included), no
 * composition rules ("one digit, one symbol" only produces Password1!), and passwords known to attackers
 * are refused. Returns the problems found, in words a user can act on; an empty list means acceptable.
 */
export function passwordProblems(password: string, context: PasswordContext = {}): string[] {
  const length = characterCount(password);
  if (length < PASSWORD_MIN_LENGTH) return [`Use at least ${PASSWORD_MIN_LENGTH} characters.`];
  if (length > PASSWORD_MAX_LENGTH) return [`Use at most ${PASSWORD_MAX_LENGTH} characters.`];

  const lowered = password.normalize('NFKC').toLowerCase();
  if (COMMON.has(lowered)) {
    return ['This password is one of the most commonly used passwords; choose one that is harder to guess.'];
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

/** Throws 422 (`weak-password`, errors.<field>) when the password breaks the policy. */
export function assertAcceptablePassword(field: string, password: string, context: PasswordContext): void {
  const problems = passwordProblems(password, context);
  if (problems.length > 0) throw weakPassword(field, problems);
}
