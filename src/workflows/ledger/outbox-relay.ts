/**
 * `ledger-outbox-relay`: keeps the ledger outbox flowing to Kafka (`lancamentos.registrados`). Each round
 * is one activity that publishes unsent outbox rows for up to `budgetMs`; an empty round waits `idleMs`.
 * While Kafka is down the activity fails and Temporal retries it with back-off; the rows stay in the
 * outbox until a publish succeeds. At least once: consumers de-duplicate by event_id.
 */
import { continueAsNew, proxyActivities, setCurrentDetails, setHandler, sleep, workflowInfo, defineQuery } from '@temporalio/workflow';
import type { createLedgerActivities } from '../../activities/ledger';

export interface LedgerOutboxRelayInput {
  batchSize: number;
  idleMs: number;
  /** How long one activity keeps publishing before it returns (it heartbeats meanwhile). */
  budgetMs: number;
  publishedTotal?: number;
  /** Stop (complete) after this many rounds in total; unset = run until terminated (production). */
  maxRounds?: number;
  roundsDone?: number;
}

export const ledgerRelayStatsQuery = defineQuery<{ publishedTotal: number; rounds: number }>('relayStats');

const { relayLedgerOutbox } = proxyActivities<ReturnType<typeof createLedgerActivities>>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const ROUNDS_PER_RUN = 500;

export async function ledgerOutboxRelayWorkflow(input: LedgerOutboxRelayInput): Promise<void> {
  let publishedTotal = input.publishedTotal ?? 0;
  let rounds = 0;
  const roundsBefore = input.roundsDone ?? 0;
  setHandler(ledgerRelayStatsQuery, () => ({ publishedTotal, rounds }));
  setCurrentDetails(`relaying the ledger outbox to Kafka · published ${publishedTotal}`);
  while (rounds < ROUNDS_PER_RUN && !workflowInfo().continueAsNewSuggested) {
    if (input.maxRounds !== undefined && roundsBefore + rounds >= input.maxRounds) return;
    rounds += 1;
    const { published } = await relayLedgerOutbox({ batchSize: input.batchSize, budgetMs: input.budgetMs });
    publishedTotal += published;
    setCurrentDetails(`relaying the ledger outbox to Kafka · published ${publishedTotal} · last round ${published}`);
    if (published === 0) await sleep(input.idleMs);
  }
  await continueAsNew<typeof ledgerOutboxRelayWorkflow>({ ...input, publishedTotal, roundsDone: roundsBefore + rounds });
}
