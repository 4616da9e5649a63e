/** Pure pieces of the security layer: token buckets, trusted-proxy matching, role parsing. */
import { isTrusted, parseTrustedProxies } from '../../src/api/auth/gateway';
import { claimAt } from '../../src/api/auth/oidc';
import { isAllowed, toRoles } from '../../src/api/auth/roles';
import { TokenBuckets } from '../../src/api/quota/token-bucket';

test('a token bucket allows the limit, then refills continuously, per key', () => {
  let now = 0;
  const buckets = new TokenBuckets(200, 60_000, () => now);
  for (let i = 0; i < 200; i++) expect(buckets.take('seller-1').allowed).toBe(true);
  const refused = buckets.take('seller-1');
  expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
  expect(buckets.take('seller-2').allowed).toBe(true);
  now += 300; // 200/min = one request every 300 ms
  expect(buckets.take('seller-1').allowed).toBe(true);
  expect(buckets.take('seller-1').allowed).toBe(false);
});

test('Retry-After is the wait for one request, rounded up to whole seconds', () => {
  let now = 0;
  const buckets = new TokenBuckets(2, 60_000, () => now);
  buckets.take('a');
  buckets.take('a');
  expect(buckets.take('a').retryAfterSeconds).toBe(30);
  now += 29_500;
  expect(buckets.take('a').retryAfterSeconds).toBe(1);
});

test('buckets that refilled are forgotten, so memory follows active principals only', () => {
  let now = 0;
  const buckets = new TokenBuckets(10, 1000, () => now);
  for (let i = 0; i < 50; i++) buckets.take(`caller-${i}`);
  expect(buckets.size).toBe(50);
  now += 5000;
  buckets.take('latest');
  expect(buckets.size).toBe(1);
});

test('trusted proxies: addresses, CIDRs, IPv6, IPv4-mapped peers', () => {
  const list = parseTrustedProxies(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
  expect(isTrusted(list, '10.20.30.40')).toBe(true);
  expect(isTrusted(list, '::ffff:10.20.30.40')).toBe(true);
  expect(isTrusted(list, '192.168.1.7')).toBe(true);
  expect(isTrusted(list, '192.168.1.8')).toBe(false);
  expect(isTrusted(list, 'fd12::1')).toBe(true);
  expect(isTrusted(list, '127.0.0.1')).toBe(false);
  expect(isTrusted(list, undefined)).toBe(false);
  expect(() => parseTrustedProxies(['10.0.0.0/33'])).toThrow(/bad prefix length/);
  expect(() => parseTrustedProxies(['proxy.local'])).toThrow(/not an IP address/);
});

test('roles: known fluxo roles only, from arrays or header lists; RBAC passes on any allowed role', () => {
  expect(toRoles(['Admin', 'offline_access', 'viewer', 'viewer'])).toEqual(['admin', 'viewer']);
  expect(toRoles('operator, analyst superuser')).toEqual(['operator', 'analyst']);
  expect(toRoles(undefined)).toEqual([]);
  expect(isAllowed(['viewer', 'operator'], ['admin', 'operator'])).toBe(true);
  expect(isAllowed(['viewer'], ['admin', 'operator'])).toBe(false);
  expect(isAllowed([], ['viewer'])).toBe(false);
});

test('claims are read by dotted path (Keycloak realm and client roles)', () => {
  const payload = { realm_access: { roles: ['admin'] }, resource_access: { 'fluxo-api': { roles: ['viewer'] } } };
  expect(claimAt(payload, 'realm_access.roles')).toEqual(['admin']);
  expect(claimAt(payload, 'resource_access.fluxo-api.roles')).toEqual(['viewer']);
  expect(claimAt(payload, 'missing.roles')).toBeUndefined();
});
