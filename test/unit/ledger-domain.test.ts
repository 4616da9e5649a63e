/** The ledger's pure parts: money in cents, dates, shard mapping, content hash, the backlog ready check. */
import type { Client } from '@temporalio/client';
import { LedgerBacklog, ledgerBacklogHealth } from '../../src/api/ledger/backlog';
import { loadConfig } from '../../src/config';
import { canonicalJson, contentHash } from '../../src/domain/ledger/content-hash';
import { isCalendarDate, todayInSaoPaulo } from '../../src/domain/ledger/data-ref';
import { amountProblem, canonicalAmount, formatCents, parseCents } from '../../src/domain/ledger/money';
import { shardOf } from '../../src/domain/ledger/shard';

test('amounts are exact integer cents', () => {
  expect(parseCents('0.01')).toBe(1n);
  expect(parseCents('10')).toBe(1000n);
  expect(parseCents('10.5')).toBe(1050n);
  expect(parseCents('999999999999999.99')).toBe(99999999999999999n);
  expect(formatCents(1050n)).toBe('10.50');
  expect(formatCents('-7')).toBe('-0.07');
  expect(canonicalAmount('0.1')).toBe('0.10');
  // 0.1 + 0.2 in cents is exactly 0.30
  expect(formatCents(parseCents('0.1') + parseCents('0.2'))).toBe('0.30');
});

test.each([
  ['0', 'must be greater than 0'],
  ['0.00', 'must be greater than 0'],
  ['-1', 'must be greater than 0'],
  ['1.234', 'at most 2 decimal places'],
  ['01.00', 'decimal string'],
  ['1e3', 'decimal string'],
  ['1.', 'decimal string'],
  ['1000000000000000', 'decimal string'],
])('amount %s is refused (%s)', (amount, reason) => {
  expect(amountProblem(amount)).toMatch(reason);
});

test('valid amounts pass', () => {
  for (const amount of ['0.01', '1', '1.5', '1.50', '999999999999999.99']) expect(amountProblem(amount)).toBeUndefined();
});

test('data_ref is a real calendar date; today is São Paulo\'s', () => {
  expect(isCalendarDate('2024-02-29')).toBe(true);
  expect(isCalendarDate('2023-02-29')).toBe(false);
  expect(isCalendarDate('2026-04-31')).toBe(false);
  expect(isCalendarDate('2026-1-01')).toBe(false);
  // 02:00 UTC on Jan 2nd is still Jan 1st in São Paulo (UTC-3).
  expect(todayInSaoPaulo(new Date('2026-01-02T02:00:00Z'))).toBe('2026-01-01');
  expect(todayInSaoPaulo(new Date('2026-01-02T03:00:00Z'))).toBe('2026-01-02');
});

test('an account always maps to the same shard, and accounts spread over the shards', () => {
  expect(shardOf('acc-1', 8)).toBe(shardOf('acc-1', 8));
  // Fixed values: the mapping must never change between releases (it decides where entries wait).
  expect([shardOf('acc-1', 8), shardOf('acc-2', 8), shardOf('conta-ção', 8), shardOf('acc-1', 1000)]).toEqual([4, 5, 4, 12]);
  expect(shardOf('', 8)).toBe(0x811c9dc5 % 8);
  const counts = new Array(8).fill(0);
  for (let index = 0; index < 8000; index++) counts[shardOf(`acc-${index}`, 8)] += 1;
  for (const count of counts) expect(count).toBeGreaterThan(800);
});

test('the content hash ignores amount spelling and metadata key order, not content', () => {
  const base = { request_id: '00000000-0000-4000-8000-000000000000', account_id: 'a', amount: '10', direction: 'credit' as const };
  const hash = (entry: typeof base & Record<string, unknown>) =>
    contentHash(entry, entry.metadata === undefined ? undefined : canonicalJson(entry.metadata));
  expect(hash({ ...base, amount: '10.00' })).toBe(hash(base));
  expect(hash({ ...base, metadata: { b: 1, a: { y: 2, x: 1 } } })).toBe(hash({ ...base, metadata: { a: { x: 1, y: 2 }, b: 1 } }));
  expect(hash({ ...base, amount: '10.01' })).not.toBe(hash(base));
  expect(hash({ ...base, direction: 'debit' as never })).not.toBe(hash(base));
  expect(hash({ ...base, data_ref: '2026-01-01' })).not.toBe(hash(base));
  expect(hash({ ...base, request_id: '11111111-1111-4111-8111-111111111111' })).toBe(hash(base));
});

test('the ledger ready check is down while a shard is over its bound', async () => {
  const config = loadConfig({ LEDGER_SHARDS: '2', LEDGER_MAX_PENDING_PER_SHARD: '10' });
  const silent = { workflow: { getHandle: () => ({ query: () => new Promise(() => undefined) }) }, connection: { withDeadline: () => new Promise(() => undefined) } } as unknown as Client;
  const backlog = new LedgerBacklog(silent, config);
  const check = ledgerBacklogHealth(backlog, 10);
  try {
    backlog.signalled(1, 9);
    await expect(check.check()).resolves.toBeUndefined();
    expect(backlog.refusal(1)).toBeUndefined();
    backlog.signalled(1, 1);
    expect(backlog.refusal(1)).toMatch(/shard 1 has more than 10/);
    await expect(check.check()).rejects.toThrow(/shard 1 backlog 10 ≥ 10/);
    expect(backlog.refusal(0)).toBeUndefined();
  } finally {
    await check.close();
  }
});
