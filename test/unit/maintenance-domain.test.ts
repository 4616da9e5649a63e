/** The maintenance domain's pure rules: availability, who may decide, identity, the window, slot finding. */
import { resolveWindow } from '../../src/domain/maintenance/api';
import { decisionRefusal } from '../../src/domain/maintenance/approval';
import { partLines } from '../../src/domain/maintenance/catalog';
import { resolveActor } from '../../src/domain/maintenance/identity';
import { checkAvailability, type Jaeger } from '../../src/domain/maintenance/jaeger';
import { findSlot } from '../../src/domain/maintenance/scheduling';

const HOUR = 3600_000;
const jaeger = (overrides: Partial<Jaeger> = {}): Jaeger => ({
  jaegerId: 'gipsy-danger',
  name: 'Gipsy Danger',
  mark: 3,
  shatterdome: 'hong-kong',
  status: 'active',
  integrity: 50,
  lastMaintainedAt: null,
  ...overrides,
});

test('availability: exists, not deployed, retired or in maintenance, and worn below the type threshold', () => {
  expect(checkAvailability(jaeger(), 'repair', 'gipsy-danger')).toEqual({ available: true });
  expect(checkAvailability(undefined, 'repair', 'nobody')).toMatchObject({ available: false, reason: 'unknown-jaeger' });
  expect(checkAvailability(jaeger({ status: 'deployed' }), 'repair', 'x')).toMatchObject({ reason: 'deployed' });
  expect(checkAvailability(jaeger({ status: 'retired' }), 'repair', 'x')).toMatchObject({ reason: 'retired' });
  expect(checkAvailability(jaeger({ status: 'maintenance' }), 'repair', 'x')).toMatchObject({ reason: 'in-maintenance' });
  // Overhaul is for integrity below 40; repair below 75; inspection for anything below 100.
  expect(checkAvailability(jaeger({ integrity: 40 }), 'overhaul', 'x')).toMatchObject({ reason: 'integrity-too-high' });
  expect(checkAvailability(jaeger({ integrity: 39 }), 'overhaul', 'x')).toEqual({ available: true });
  expect(checkAvailability(jaeger({ integrity: 75 }), 'repair', 'x')).toMatchObject({ reason: 'integrity-too-high' });
  expect(checkAvailability(jaeger({ integrity: 100 }), 'inspection', 'x')).toMatchObject({ reason: 'integrity-too-high' });
  expect(checkAvailability(jaeger({ integrity: 99 }), 'inspection', 'x')).toEqual({ available: true });
});

test('deciding needs an admin or operator who is not the requester', () => {
  expect(decisionRefusal('bob', ['operator'], 'alice')).toBeNull();
  expect(decisionRefusal('bob', ['viewer', 'admin'], 'alice')).toBeNull();
  expect(decisionRefusal('bob', ['analyst', 'viewer', 'service'], 'alice')).toMatchObject({ type: 'NotAnApprover' });
  expect(decisionRefusal('alice', ['admin'], 'alice')).toMatchObject({ type: 'SelfApproval' });
  expect(decisionRefusal(' ', ['admin'], 'alice')).toMatchObject({ type: 'NotAnApprover' });
});

test('identity: the authenticated principal wins; the body name is a development-only fallback', () => {
  expect(resolveActor({ principal: 'bob', roles: ['operator'] }, undefined, 'body.approver', ['admin'])).toEqual({
    ok: true,
    id: 'bob',
    roles: ['operator'],
    viaFallback: false,
  });
  expect(resolveActor({ principal: 'bob', roles: ['operator'] }, 'bob', 'body.approver', [])).toMatchObject({ ok: true, id: 'bob' });
  expect(resolveActor({ principal: 'bob', roles: ['operator'] }, 'carol', 'body.approver', [])).toMatchObject({ ok: false, reason: 'impersonation' });
  expect(resolveActor({ principal: 'anonymous', roles: undefined }, undefined, 'body.approver', [])).toMatchObject({ ok: false, reason: 'missing' });
  // Anonymous: the named person, with the caller's roles if known, else the roles the route admits.
  expect(resolveActor({ principal: undefined, roles: undefined }, 'carol', 'body.approver', ['admin', 'operator'])).toEqual({
    ok: true,
    id: 'carol',
    roles: ['admin', 'operator'],
    viaFallback: true,
  });
  expect(resolveActor({ principal: 'anonymous', roles: ['viewer'] }, 'carol', 'body.approver', ['admin'])).toMatchObject({ roles: ['viewer'] });
});

test('the window: defaults to now + 7 days; must be ordered, at most 90 days, long enough for the type', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  expect(resolveWindow('repair', undefined, undefined, now)).toEqual({ start: '2030-01-01T00:00:00.000Z', end: '2030-01-08T00:00:00.000Z' });
  const problem = (start: string | undefined, end: string | undefined, type: 'repair' | 'overhaul' = 'repair') =>
    (resolveWindow(type, start, end, now) as { problems: { name: string; reason: string }[] }).problems;
  expect(problem('2030-01-02T00:00:00Z', '2030-01-01T00:00:00Z')).toEqual([{ name: 'body.window_end', reason: 'must be after window_start' }]);
  expect(problem(undefined, '2030-06-01T00:00:00Z')[0]!.reason).toMatch(/longer than 90 days/);
  // An overhaul takes 24 h: a 12-hour window cannot hold it; neither can a window mostly in the past.
  expect(problem(undefined, '2030-01-01T12:00:00Z', 'overhaul')[0]!.reason).toMatch(/less than the 24 h needed for overhaul/);
  expect(problem('2029-12-01T00:00:00Z', '2030-01-01T04:00:00Z')[0]!.reason).toMatch(/less than the 8 h/);
});

test('slots: the earliest start in the window where the bay still has a free cradle for the whole duration', () => {
  const base = { windowStart: 0, windowEnd: 48 * HOUR, notBefore: 0, durationMs: 8 * HOUR, capacity: 1 };
  expect(findSlot(base, [])).toEqual({ startsAt: 0, endsAt: 8 * HOUR });
  expect(findSlot({ ...base, notBefore: 5 * HOUR }, [])).toEqual({ startsAt: 5 * HOUR, endsAt: 13 * HOUR });
  // One cradle, taken 2–10 h: the next start is when it frees up.
  expect(findSlot(base, [{ startsAt: 2 * HOUR, endsAt: 10 * HOUR }])).toEqual({ startsAt: 10 * HOUR, endsAt: 18 * HOUR });
  // Two cradles: one booking leaves room at once; two overlapping ones push it to the first end.
  expect(findSlot({ ...base, capacity: 2 }, [{ startsAt: 2 * HOUR, endsAt: 10 * HOUR }])).toEqual({ startsAt: 0, endsAt: 8 * HOUR });
  expect(
    findSlot({ ...base, capacity: 2 }, [
      { startsAt: 0, endsAt: 6 * HOUR },
      { startsAt: 4 * HOUR, endsAt: 20 * HOUR },
    ]),
  ).toEqual({ startsAt: 6 * HOUR, endsAt: 14 * HOUR });
  // Nothing fits before the window closes.
  expect(findSlot({ ...base, windowEnd: 15 * HOUR }, [{ startsAt: 0, endsAt: 10 * HOUR }])).toBeNull();
  expect(findSlot({ ...base, capacity: 0 }, [])).toBeNull();
});

test('parts lines are sorted by SKU (a fixed lock order for concurrent allocations)', () => {
  expect(partLines('overhaul').map((line) => line.sku)).toEqual(['coolant-cell', 'hull-plate', 'neural-relay', 'servo-actuator']);
  expect(partLines('repair')).toEqual([
    { sku: 'hull-plate', quantity: 4 },
    { sku: 'servo-actuator', quantity: 2 },
  ]);
});
