/**
 * The feature store on PostgreSQL: an entry is scored on its account's history before it (point in time, the
 * entry itself left out), the account's row in alert_account_features is refreshed as of now (the entry
 * included), and the hourly refresh reaches accounts that only have ledger entries.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAlertActivities, type LocalAssessmentResult } from '../../src/activities/alerts';
import { loadConfig } from '../../src/config';
import type { LedgerEventSummary } from '../../src/domain/alerts/alert';
import { createPostgresStore } from '../../src/stores/postgres';

const config = loadConfig({ ...process.env, ALERTS_LLM_ENABLED: 'false' });
const postgres = createPostgresStore(config);
const activities = createAlertActivities({ postgres }, config);
afterAll(() => postgres.close());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

async function insertEntry(accountId: string, amountCents: number, agoMs: number, counterparty?: string): Promise<string> {
  const requestId = randomUUID();
  await postgres.pool().query(
    `INSERT INTO ledger_entries (request_id, account_id, amount_cents, direction, data_ref, metadata, content_hash, shard, batch_id, accepted_at)
     VALUES ($1, $2, $3, 'debit', current_date, $4, 'h', 0, 'feature-store-test', now() - $5 * interval '1 millisecond')`,
    [requestId, accountId, amountCents, counterparty ? JSON.stringify({ counterparty }) : null, agoMs],
  );
  return requestId;
}

const close = (value: number, expected: number) => expect(value).toBeCloseTo(expected, 6);

test('an entry is scored on the history before it; the store row is refreshed as of now', async () => {
  const accountId = `acc-fs-${randomUUID().slice(0, 8)}`;
  // As of the evaluated entry (1 minute ago): 3 entries in the hour before, 2 more in the day, 1 more in 30 days,
  // and one 40 days ago (outside every window, but the account's first entry).
  await insertEntry(accountId, 1000, 11 * MINUTE, 'shop-a');
  await insertEntry(accountId, 2000, 21 * MINUTE, 'shop-b');
  await insertEntry(accountId, 3000, 31 * MINUTE, 'shop-a');
  await insertEntry(accountId, 10_000, 5 * HOUR);
  await insertEntry(accountId, 20_000, 10 * HOUR);
  await insertEntry(accountId, 100_000, 10 * DAY, 'shop-c');
  await insertEntry(accountId, 500_000, 40 * DAY);
  const evaluated = await insertEntry(accountId, 9_999_900, MINUTE);
  const { rows: accepted } = await postgres.pool().query<{ accepted_at: Date }>('SELECT accepted_at FROM ledger_entries WHERE request_id = $1', [evaluated]);

  const event: LedgerEventSummary = {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    requestId: evaluated,
    accountId,
    amount: '99999.00',
    direction: 'debit',
    dataRef: '2026-01-15',
    description: null,
    counterparty: null,
  };
  const result = (await new MockActivityEnvironment().run(activities.assessEntry, event)) as LocalAssessmentResult;
  const { features } = result;

  // Point in time: as of the entry's acceptance, without the entry.
  expect(result.entryAcceptedAt).toBe(accepted[0]!.accepted_at.toISOString());
  expect(features.asOf).toBe(accepted[0]!.accepted_at.toISOString());
  expect(features.w1h).toMatchObject({ count: 3, sum: 60 });
  close(features.w1h.mean, 20);
  close(features.w1h.std, Math.sqrt(200 / 3));
  expect(features.w24h).toMatchObject({ count: 5, sum: 360 });
  close(features.w24h.mean, 72);
  expect(features.w30d).toMatchObject({ count: 6, sum: 1360 });
  expect(features.accountAgeDays).toBeGreaterThan(39.9);
  expect(features.accountAgeDays).toBeLessThan(40.1);
  expect(features.hourProfile).toHaveLength(24);
  expect(features.hourProfile.reduce((sum, value) => sum + value, 0)).toBe(6);
  expect(features.distinctCounterparties30d).toBe(3);
  // 99,999.00 against a 30-day mean of 226.67: the local model flags it.
  expect(result.local.action).not.toBe('ignore');
  expect(result.local.reason).toMatch(/× the 30-day mean/);

  // The store's row is the account now: the evaluated entry counts.
  const { rows } = await postgres.pool().query('SELECT * FROM alert_account_features WHERE account_id = $1', [accountId]);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ count_1h: 4, count_24h: 6, count_30d: 7, sum_30d: 101_359 });
  expect(rows[0].first_seen_at.getTime()).toBeLessThan(Date.now() - 39 * DAY);
});

test('the hourly refresh covers accounts known only from ledger entries, and lets windows decay', async () => {
  const fresh = `acc-fs-new-${randomUUID().slice(0, 8)}`;
  await insertEntry(fresh, 4200, 2 * HOUR);
  const stale = `acc-fs-stale-${randomUUID().slice(0, 8)}`;
  // A row computed when its entry was recent; the entry is now 2 hours old.
  await insertEntry(stale, 700, 2 * HOUR);
  await postgres.pool().query(
    `INSERT INTO alert_account_features SELECT f.*, now() - interval '2 hours' FROM alert_account_features_at($1, now() - interval '2 hours' + interval '1 second', NULL) f`,
    [stale],
  );
  expect((await postgres.pool().query('SELECT count_1h FROM alert_account_features WHERE account_id = $1', [stale])).rows[0].count_1h).toBe(1);

  const outcome = (await new MockActivityEnvironment().run(activities.refreshAccountFeatures)) as { accounts: number };
  expect(outcome.accounts).toBeGreaterThanOrEqual(2);
  const { rows } = await postgres.pool().query(
    'SELECT account_id, count_1h, count_24h, sum_24h FROM alert_account_features WHERE account_id = ANY($1) ORDER BY account_id',
    [[fresh, stale]],
  );
  expect(rows).toEqual([
    { account_id: fresh, count_1h: 0, count_24h: 1, sum_24h: 42 },
    { account_id: stale, count_1h: 0, count_24h: 1, sum_24h: 7 },
  ]);
});
