/** Request and response schemas of the reports API (src/api/routes/reports.ts); also its OpenAPI. */
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN } from '../ledger/entry';
import { daysBetween, isCalendarDate } from './dates';

export const dataRefSchema = z.string().refine(isCalendarDate, 'must be a real date written YYYY-MM-DD');

export const startConsolidationBody = z
  .object({
    data_ref: dataRefSchema.describe('The day to consolidate'),
    rerun: z
      .boolean()
      .default(false)
      .describe(
        'false: idempotent, the day\'s existing run is returned whatever its state. true: start a new run if the last one has ended (replaces the day\'s results); a running one is returned',
      ),
  })
  .strict();

export const backfillBody = (maxDays: number) =>
  z
    .object({
      from: dataRefSchema.describe('First day, included'),
      to: dataRefSchema.describe('Last day, included'),
    })
    .strict()
    .superRefine((body, context) => {
      if (!isCalendarDate(body.from) || !isCalendarDate(body.to)) return;
      const days = daysBetween(body.from, body.to) + 1;
      if (days < 1) context.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      else if (days > maxDays) context.addIssue({ code: 'custom', path: ['to'], message: `a backfill covers at most ${maxDays} days` });
    });

export const startAccepted = z.object({
  data_ref: z.string(),
  workflow_id: z.string(),
  run_id: z.string(),
  /** false when an earlier request (or the schedule) had already started this run. */
  started: z.boolean(),
  status: z.literal('accepted'),
  status_url: z.string(),
});

export const backfillAccepted = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number(),
  workflow_id: z.string(),
  started: z.boolean(),
  status: z.literal('accepted'),
});

const stepView = z.object({ step: z.string(), started_at: z.string(), duration_ms: z.number() });

export const runView = z.object({
  run_id: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  requested_by: z.string(),
  partitions: z.number(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  steps: z.array(stepView),
  counts: z.record(z.string(), z.unknown()).nullable(),
  manifest_key: z.string().nullable(),
  error: z.record(z.string(), z.unknown()).nullable(),
});

export const runsResponse = z.object({
  data_ref: z.string(),
  workflow_id: z.string(),
  /** Temporal's status of the day's latest workflow run (RUNNING, COMPLETED, FAILED...), null if never started. */
  workflow_status: z.string().nullable(),
  /** While running: the current step and partitions done. */
  progress: z
    .object({ step: z.string(), partitions: z.number(), partitions_done: z.number() })
    .nullable(),
  /** Newest first. */
  runs: z.array(runView),
});

export const balancesQuery = z
  .object({
    data_ref: dataRefSchema,
    account_id: z.string().regex(ACCOUNT_ID_PATTERN, 'must be 1-64 letters, digits, "_", ".", ":" or "-"').optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    after: z.string().regex(ACCOUNT_ID_PATTERN).optional().describe('Page cursor: the last account_id of the previous page'),
  })
  .strict();

export const balanceView = z.object({
  account_id: z.string(),
  /** The day asked for. */
  data_ref: z.string(),
  /** The consolidated day the figures come from: data_ref, or the account's latest earlier day when it had no entries. */
  as_of: z.string(),
  opening: z.string(),
  credits: z.string(),
  debits: z.string(),
  net: z.string(),
  closing: z.string(),
  entry_count: z.number(),
});

export const balancesResponse = z.object({
  data_ref: z.string(),
  balances: z.array(balanceView),
  next_after: z.string().nullable(),
});
