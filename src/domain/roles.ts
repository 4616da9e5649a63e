/** fluxo's roles (issue: API security). Every /v1 and /internal route names the roles allowed to call it. */
export const roles = ['admin', 'operator', 'analyst', 'viewer', 'service'] as const;
export type Role = (typeof roles)[number];

/** Common role sets, so route modules read as policy. */
export const anyone: Role[] = ['admin', 'operator', 'analyst', 'viewer', 'service'];
export const readers: Role[] = ['admin', 'operator', 'analyst', 'viewer'];
export const operators: Role[] = ['admin', 'operator'];
export const writers: Role[] = ['admin', 'operator', 'service'];
