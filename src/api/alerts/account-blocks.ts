/**
 * The ledger API's check for blocked accounts (an alert review holds or confirms a block in account_blocks):
 * new entries on a blocked account get 423 Locked. Each API process keeps the set of blocked accounts and
 * re-reads it at most every ALERTS_BLOCK_CACHE_MS, so the ledger's hot path does not query PostgreSQL per
 * entry; a block takes effect on every API process within that time.
 */
import type { Pool } from 'pg';
import type { ApiDeps } from '../deps';
import { ProblemError, serviceUnavailable } from '../problem';

const BLOCKS_RETRY_AFTER_SECONDS = 2;

interface Snapshot {
  accounts: Set<string>;
  readAt: number;
}

const snapshots = new WeakMap<object, { current?: Snapshot; reading?: Promise<Snapshot> }>();

async function read(pool: Pool): Promise<Snapshot> {
  const { rows } = await pool.query<{ account_id: string }>(`SELECT DISTINCT account_id FROM account_blocks WHERE state <> 'released'`);
  return { accounts: new Set(rows.map((row) => row.account_id)), readAt: Date.now() };
}

/** The blocked accounts, at most `maxAgeMs` old (one read at a time per store, shared by concurrent callers). */
export async function blockedAccounts(deps: Pick<ApiDeps, 'stores'>, maxAgeMs: number): Promise<Set<string>> {
  const store = deps.stores.postgres;
  let entry = snapshots.get(store);
  if (!entry) snapshots.set(store, (entry = {}));
  if (entry.current && Date.now() - entry.current.readAt <= maxAgeMs) return entry.current.accounts;
  if (!entry.reading) {
    const slot = entry;
    slot.reading = read(store.pool()).then(
      (snapshot) => {
        slot.current = snapshot;
        slot.reading = undefined;
        return snapshot;
      },
      (error: unknown) => {
        slot.reading = undefined;
        throw error;
      },
    );
  }
  return (await entry.reading!).accounts;
}

export const accountBlocked = (accountIds: string[]) =>
  new ProblemError(
    423,
    'account-blocked',
    'Account blocked',
    `account ${accountIds.join(', ')} is blocked by a fraud alert review; new entries are refused`,
    { blocked_accounts: accountIds },
  );

/**
 * Throws 423 when any of the accounts is blocked, and 503 when the blocks cannot be read (PostgreSQL down or
 * restarting): an entry is neither accepted unchecked nor answered with a 500; the caller retries.
 */
export async function assertAccountsOpen(deps: Pick<ApiDeps, 'stores' | 'config'>, accountIds: string[]): Promise<void> {
  let blocked: Set<string>;
  try {
    blocked = await blockedAccounts(deps, deps.config.ALERTS_BLOCK_CACHE_MS);
  } catch {
    throw serviceUnavailable('account blocks cannot be read (PostgreSQL is unavailable); retry later', BLOCKS_RETRY_AFTER_SECONDS);
  }
  if (blocked.size === 0) return;
  const hits = [...new Set(accountIds.filter((account) => blocked.has(account)))];
  if (hits.length > 0) throw accountBlocked(hits);
}
