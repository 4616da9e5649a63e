/** Small helpers for reading credentials from request headers. */

export function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** `Authorization: <scheme> <credentials>`, scheme lower-cased; undefined when absent. */
export function authorization(request: { headers: Record<string, string | string[] | undefined> }): { scheme: string; credentials: string } | undefined {
  const value = headerValue(request.headers.authorization);
  if (!value) return undefined;
  const space = value.indexOf(' ');
  if (space < 0) return { scheme: value.toLowerCase(), credentials: '' };
  return { scheme: value.slice(0, space).toLowerCase(), credentials: value.slice(space + 1).trim() };
}

/** A principal id from a header or claim: printable, bounded, so it is safe in logs and search attributes. */
export const PRINCIPAL_ID = /^[\w.@:+\-/|]{1,200}$/;
