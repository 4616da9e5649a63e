/**
 * Object keys are relative paths of `/`-separated segments. The local backend turns them into file paths,
 * so anything that could climb out of its folder or alias another key is refused, on every backend alike:
 * a key valid here is valid on both, and moving between backends never meets a key one of them rejects.
 */
import { InvalidObjectKeyError } from './errors';

/** GCS's limit on an object name, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;
// Control characters break file names, log lines and the XML API; backslash is a separator on Windows.
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;

/** Why `key` is not a valid key, or undefined when it is. */
function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'it is empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  if (FORBIDDEN.test(key)) return 'control characters and backslashes are not allowed';
  if (key.startsWith('/')) return 'it must not start with "/"';
  for (const segment of key.split('/')) {
    if (segment === '') return 'empty segments ("//" or a trailing "/") are not allowed';
    if (segment === '.' || segment === '..') return `"${segment}" segments are not allowed`;
  }
  return undefined;
}

/** Throws InvalidObjectKeyError unless `key` is a safe object key; returns it for chaining. */
export function validateKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new InvalidObjectKeyError(String(key), problem);
  return key;
}

/**
 * A listing prefix: empty, or a key's beginning. Everything before the last `/` must be valid key segments;
 * the part after it may be any partial segment (`reports/2024-0` lists `reports/2024-01.parquet`).
 */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  if (typeof prefix !== 'string') throw new InvalidObjectKeyError(String(prefix), 'a prefix must be a string');
  if (FORBIDDEN.test(prefix)) throw new InvalidObjectKeyError(prefix, 'control characters and backslashes are not allowed');
  if (prefix.startsWith('/')) throw new InvalidObjectKeyError(prefix, 'a prefix must not start with "/"');
  const folder = prefix.slice(0, Math.max(prefix.lastIndexOf('/'), 0));
  const problem = folder === '' ? undefined : keyProblem(folder);
  if (problem) throw new InvalidObjectKeyError(prefix, problem);
  return prefix;
}
