import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The only signing algorithm: ECDSA P-256 with SHA-256. Verifiers pin it (no `alg` from the token). */
export const SIGNING_ALGORITHM = 'ES256';

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
}

export interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

export interface KeyStore {
  /** Signs every new token. */
  signing: { kid: string; privateKey: KeyObject };
  /** The signing key's public half first, then retired keys whose tokens may still be live. */
  verification: VerificationKey[];
  jwks(): { keys: PublicJwk[] };
}

export interface KeySources {
  /** Folder of `*.pem` files: private keys sign or verify, public-only files only verify. */
  keysDir?: string | undefined;
  /** One PEM private key (overrides the folder's choice of signing key). */
  privateKeyPem?: string | undefined;
  /** Concatenated PEM public keys of retired signing keys. */
  previousPublicKeysPem?: string | undefined;
  /** Which key of the folder signs; default the newest file name. */
  signingKid?: string | undefined;
  /** Generate a first key into keysDir when it holds none (development only). */
  generateIfMissing?: boolean;
}

function toPublicJwk(publicKey: KeyObject, kid: string): PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new Error(`key ${kid} is not an EC P-256 key: ${SIGNING_ALGORITHM} needs one`);
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: SIGNING_ALGORITHM, use: 'sig' };
}

/**
 * RFC 7638 thumbprint: derived from the key itself, so the same key always gets the same `kid`,
 * wherever it is loaded from, and two different keys never share one.
 */
export function keyId(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey;
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function splitPems(text: string): string[] {
  return text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
}

/** Creates a new P-256 key pair as PKCS#8 PEM (what `openssl genpkey -algorithm EC` writes). */
export function generatePrivateKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * Writes a new private key into the folder. File names start with a UTC timestamp, so sorting them
 * sorts keys by age and the newest one signs: rotating is adding a file.
 */
export function addKeyFile(keysDir: string): { file: string; kid: string } {
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const pem = generatePrivateKeyPem();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(keysDir, `${stamp}-${randomBytes(3).toString('hex')}.pem`);
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { file, kid: keyId(createPublicKey(pem)) };
}

interface LoadedKey {
  kid: string;
  privateKey?: KeyObject;
  publicKey: KeyObject;
}

function loadPem(pem: string, origin: string): LoadedKey {
  try {
    if (pem.includes('PRIVATE KEY')) {
      const privateKey = createPrivateKey(pem);
      const publicKey = createPublicKey(privateKey);
      return { kid: keyId(publicKey), privateKey, publicKey };
    }
    const publicKey = createPublicKey(pem);
    return { kid: keyId(publicKey), publicKey };
  } catch (err) {
    throw new Error(`${origin} is not a readable PEM key`, { cause: err });
  }
}

function loadDir(keysDir: string): LoadedKey[] {
  if (!existsSync(keysDir)) return [];
  return readdirSync(keysDir)
    .filter((name) => name.endsWith('.pem'))
    .sort()
    .flatMap((name) => {
      const file = path.join(keysDir, name);
      return splitPems(readFileSync(file, 'utf8')).map((pem) => loadPem(pem, file));
    });
}

export function loadKeyStore(sources: KeySources): KeyStore {
  if (sources.keysDir && sources.generateIfMissing && loadDir(sources.keysDir).length === 0) {
    addKeyFile(sources.keysDir);
  }
  const fromDir = sources.keysDir ? loadDir(sources.keysDir) : [];
  const fromEnv = sources.privateKeyPem
    ? splitPems(sources.privateKeyPem).map((pem) => loadPem(pem, 'JWT_PRIVATE_KEY'))
    : [];
  const previous = sources.previousPublicKeysPem
    ? splitPems(sources.previousPublicKeysPem).map((pem) => loadPem(pem, 'JWT_PREVIOUS_PUBLIC_KEYS'))
    : [];

  const withPrivate = [...fromDir, ...fromEnv].filter((key) => key.privateKey !== undefined);
  let signer: LoadedKey | undefined;
  if (sources.signingKid) {
    signer = withPrivate.find((key) => key.kid === sources.signingKid);
    if (!signer) throw new Error(`JWT_SIGNING_KID ${sources.signingKid} matches no private key`);
  } else {
    // The env key wins over the folder; within the folder the newest file wins.
    signer = fromEnv.find((key) => key.privateKey) ?? fromDir.filter((key) => key.privateKey).at(-1);
  }
  if (!signer?.privateKey) {
    throw new Error('no signing key: set JWT_PRIVATE_KEY or put a PEM private key in JWT_KEYS_DIR');
  }

  const byKid = new Map<string, VerificationKey>();
  for (const key of [signer, ...[...fromEnv, ...fromDir].reverse(), ...previous]) {
    if (!byKid.has(key.kid))
      byKid.set(key.kid, {
        kid: key.kid,
        publicKey: key.publicKey,
        jwk: toPublicJwk(key.publicKey, key.kid),
      });
  }
  const verification = [...byKid.values()];
  const jwks = { keys: verification.map((key) => key.jwk) };

  return {
    signing: { kid: signer.kid, privateKey: signer.privateKey },
    verification,
    jwks: () => jwks,
  };
}
