/**
 * `consolidacao-backfill-<from>-<to>`: consolidates every day of a range, in order (closing balances carry
 * forward, so each day needs the one before it). Long ranges continue-as-new before the history grows large,
 * carrying the counts so far.
 */
import { continueAsNew, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { dateRange } from '../../domain/consolidation/dates';
import type { BackfillInput, BackfillResult, DayOutcome } from '../../domain/consolidation/run';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { runDayInOrder } from './days-in-order';

/** Days per run before continue-as-new: ~15 history events a day keeps a run far below Temporal's limits. */
const DAYS_PER_RUN = 200;

export interface BackfillState {
  /** Days done by earlier runs of this workflow (continue-as-new). */
  daysDone: number;
  entriesDone: number;
  /** The range as requested (the input's `from` moves forward across continue-as-new). */
  requestedFrom: string;
}

export async function consolidationBackfillWorkflow(input: BackfillInput, state?: BackfillState): Promise<BackfillResult> {
  const carried: BackfillState = state ?? { daysDone: 0, entriesDone: 0, requestedFrom: input.from };
  const days = dateRange(input.from, input.to);
  upsertSearchAttributes([{ key: searchAttributeKeys.DataRef, value: `${carried.requestedFrom}..${input.to}` }]);
  const total = carried.daysDone + days.length;
  const outcomes: DayOutcome[] = [];
  for (const [index, day] of days.entries()) {
    if (index === DAYS_PER_RUN || (index > 0 && workflowInfo().continueAsNewSuggested)) {
      await continueAsNew<typeof consolidationBackfillWorkflow>({ ...input, from: day }, {
        daysDone: carried.daysDone + outcomes.length,
        entriesDone: carried.entriesDone + outcomes.reduce((sum, outcome) => sum + outcome.entries, 0),
        requestedFrom: carried.requestedFrom,
      });
    }
    const position = `backfill ${carried.requestedFrom}..${input.to}, day ${carried.daysDone + index + 1}/${total}`;
    outcomes.push(await runDayInOrder(day, input, position));
  }
  setCurrentDetails(`backfill ${carried.requestedFrom}..${input.to} done: ${total} days`);
  return {
    from: carried.requestedFrom,
    to: input.to,
    daysRun: total,
    entries: carried.entriesDone + outcomes.reduce((sum, outcome) => sum + outcome.entries, 0),
    days: outcomes,
  };
}
