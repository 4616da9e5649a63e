/**
 * A ledger entry (lançamento) as callers send it, and the shape it has inside fluxo once accepted.
 * Field names keep the seed's contract (`request_id`, `data_ref`); amounts are decimal strings.
 */
import { z } from 'zod';
import { isCalendarDate } from './data-ref';
import { amountProblem } from './money';

export const ACCOUNT_ID_PATTERN = /^[\w.:-]{1,64}$/;
export const MAX_DESCRIPTION_LENGTH = 500;
/** Serialized size limit of `metadata`: buffers and workflow payloads stay small (ARCHITECTURE.md). */
export const MAX_METADATA_BYTES = 2048;

export const directions = ['credit', 'debit'] as const;
export type Direction = (typeof directions)[number];

export const ledgerEntrySchema = z
  .object({
    request_id: z.uuid().describe('Idempotency key: the same request_id with the same content gets the same answer'),
    account_id: z.string().regex(ACCOUNT_ID_PATTERN, 'must be 1-64 letters, digits, "_", ".", ":" or "-"'),
    amount: z
      .string()
      .superRefine((amount, context) => {
        const problem = amountProblem(amount);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .describe('Decimal string > 0 with at most 2 decimal places, e.g. "1234.50"'),
    direction: z.enum(directions),
    data_ref: z
      .string()
      .refine(isCalendarDate, 'must be a real date written YYYY-MM-DD')
      .optional()
      .describe('Reference date; default: today in America/Sao_Paulo'),
    description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_METADATA_BYTES, `must serialize to at most ${MAX_METADATA_BYTES} bytes`)
      .optional(),
  })
  .strict();

export type LedgerEntryRequest = z.infer<typeof ledgerEntrySchema>;

/** The batch body; the limit comes from LEDGER_BATCH_MAX_ENTRIES. */
export const ledgerBatchSchema = (maxEntries: number) =>
  z
    .object({
      entries: z.array(ledgerEntrySchema).min(1).max(maxEntries, `at most ${maxEntries} entries per batch`),
    })
    .strict();

export { entryBytes, type BufferedEntry } from './buffered-entry';
