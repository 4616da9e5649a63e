/**
 * The reconciliation's verdict, a pure function of the figures (see docs/consolidation.md):
 *
 *   day's entries (snapshot) = day's balances = the snapshot's per-batch record of the day
 *   control table rows of those batches = the entries of those batches (all days), checksums included
 *   rows exported to Parquet = rows in the database
 *
 * The control table is per batch, and a batch can hold entries of several days (late entries, midnight), so
 * the day is tied to it through the batches: the batches holding the day's entries are checked whole.
 */
import { ApplicationFailure } from '@temporalio/common';
import { consolidationErrors, type ReconciliationFigures, type Totals } from './run';

function compareTotals(label: string, left: Totals, leftName: string, right: Totals, rightName: string): string[] {
  const problems: string[] = [];
  if (left.entries !== right.entries) problems.push(`${label}: ${leftName} has ${left.entries} entries, ${rightName} ${right.entries}`);
  if (left.creditCents !== right.creditCents) {
    problems.push(`${label}: ${leftName} credits ${left.creditCents} cents, ${rightName} ${right.creditCents}`);
  }
  if (left.debitCents !== right.debitCents) {
    problems.push(`${label}: ${leftName} debits ${left.debitCents} cents, ${rightName} ${right.debitCents}`);
  }
  return problems;
}

/** Every disagreement, each naming both figures; empty = reconciled. */
export function reconciliationMismatches(figures: ReconciliationFigures): string[] {
  const problems = [
    ...compareTotals('entries vs balances', figures.ledger, 'ledger_entries', figures.balances, 'balances'),
    ...compareTotals('entries vs snapshot', figures.ledger, 'ledger_entries', figures.snapshot, 'the run snapshot'),
    ...compareTotals('control table', figures.control, 'ledger_batches', figures.controlEntries, 'the entries of those batches'),
  ];
  if (figures.balances.badRows > 0) problems.push(`balances: ${figures.balances.badRows} rows where net or closing do not add up`);
  if (figures.control.missingBatches > 0) problems.push(`control table: ${figures.control.missingBatches} batches of the day have no ledger_batches row`);
  if (figures.control.checksumMismatches.length > 0) {
    problems.push(`control table: checksum differs for batches ${figures.control.checksumMismatches.join(', ')}`);
  }
  if (figures.exported.entries !== figures.ledger.entries) {
    problems.push(`parquet: ${figures.exported.entries} entry rows exported, ledger_entries has ${figures.ledger.entries}`);
  }
  if (figures.exported.balances !== figures.balances.accounts) {
    problems.push(`parquet: ${figures.exported.balances} balance rows exported, balances has ${figures.balances.accounts}`);
  }
  return problems;
}

/** Throws the non-retryable ConsolidationReconciliationMismatch, carrying every figure, unless they all agree. */
export function assertReconciled(figures: ReconciliationFigures): void {
  const problems = reconciliationMismatches(figures);
  if (problems.length === 0) return;
  throw ApplicationFailure.create({
    type: consolidationErrors.reconciliationMismatch,
    message: `reconciliation of ${figures.dataRef} failed: ${problems.join('; ')}`,
    nonRetryable: true,
    details: [figures],
  });
}
