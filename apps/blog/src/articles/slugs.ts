import { randomBytes } from 'node:crypto';

const MAX_BASE = 80;

/**
 * The readable part of a slug: the title in lower case, accents dropped, every run of other characters
 * than letters and digits (any script) one hyphen. A title with none of those gives `article`.
 */
export function slugBase(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .slice(0, MAX_BASE)
    .replace(/^-+|-+$/g, '');
  return base === '' ? 'article' : base;
}

/** The first candidate is the base itself; the next ones end in 6 random hex characters. */
export function slugCandidate(base: string, attempt: number): string {
  return attempt === 0 ? base : `${base}-${randomBytes(3).toString('hex')}`;
}

/** Attempts before giving up: after the bare base, a random ending colliding twice is practically impossible. */
export const SLUG_ATTEMPTS = 4;
