/**
 * Signed URLs of the local backend, served later by the API at `GET /v1/storage/<key>`:
 *
 *   /v1/storage/<key, each segment percent-encoded>?expires=<unix seconds>&signature=<hex>
 *   signature = hex(HMAC-SHA256(STORAGE_SIGNING_SECRET, "<key>\n<expires>"))
 *
 * The HMAC covers the decoded key and the expiry, so neither can be changed without the secret; the URL
 * is valid up to and including the second `expires`. Rotating the secret revokes every URL issued.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const LOCAL_SIGNED_URL_PREFIX = '/v1/storage/';

export type SignedUrlVerdict = 'ok' | 'expired' | 'forged';

const nowSeconds = () => Math.floor(Date.now() / 1000);

function signature(key: string, expires: number, secret: string): Buffer {
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest();
}

/** The API-relative path granting read access to `key` until `expires` (unix seconds). */
export function signLocalUrl(key: string, expires: number, secret: string): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  const query = new URLSearchParams({ expires: String(expires), signature: signature(key, expires, secret).toString('hex') });
  return `${LOCAL_SIGNED_URL_PREFIX}${path}?${query}`;
}

/**
 * Checks a request's `key` (decoded), `expires` and `signature` query values. Anything malformed counts as
 * forged; the signature is compared in constant time, and only a genuine URL can be reported `expired`.
 */
export function verifySignedUrl(
  key: string,
  expires: string | number,
  signatureHex: string,
  secret: string,
  now: number = nowSeconds(),
): SignedUrlVerdict {
  const expiresText = String(expires);
  if (!/^[1-9]\d{0,11}$/.test(expiresText) || !/^[0-9a-f]{64}$/i.test(signatureHex)) return 'forged';
  const expiresAt = Number(expiresText);
  const expected = signature(key, expiresAt, secret);
  if (!timingSafeEqual(expected, Buffer.from(signatureHex, 'hex'))) return 'forged';
  return now > expiresAt ? 'expired' : 'ok';
}

/** GCS v4 URLs cannot live longer; the local backend keeps the same limit so callers behave the same. */
export const MAX_SIGNED_URL_TTL_SECONDS = 7 * 24 * 3600;

/** Validates a requested lifetime (seconds) and returns the expiry in unix seconds. */
export function expiryFor(ttlSeconds: number, now: number = nowSeconds()): number {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > MAX_SIGNED_URL_TTL_SECONDS) {
    throw new RangeError(`signed URL ttlSeconds must be an integer from 1 to ${MAX_SIGNED_URL_TTL_SECONDS}, got ${ttlSeconds}`);
  }
  return now + ttlSeconds;
}
