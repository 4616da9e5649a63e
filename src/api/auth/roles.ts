/** Parses role lists from tokens and headers into fluxo roles; unknown names are ignored, not errors. */
import { roles as knownRoles, type Role } from '../../domain/roles';

const known = new Set<string>(knownRoles);

export function toRoles(values: unknown): Role[] {
  const list = Array.isArray(values) ? values : typeof values === 'string' ? values.split(/[\s,]+/) : [];
  // Identity providers carry many other roles (Keycloak: offline_access, uma_authorization…).
  return [...new Set(list.map((value) => String(value).trim().toLowerCase()).filter((value) => known.has(value)))] as Role[];
}

/** RBAC: a caller passes when it holds at least one of the route's roles. */
export function isAllowed(held: readonly Role[], allowed: readonly Role[]): boolean {
  return held.some((role) => allowed.includes(role));
}
