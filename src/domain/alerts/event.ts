/**
 * Reading `LancamentoRegistrado` from Kafka: the envelope of ARCHITECTURE.md (`{event_id, event_type,
 * event_version, occurred_at, payload}`) and payload v1 as the ledger's outbox relay writes it. Anything else is
 * malformed and goes to the DLQ with a kind and a reason a person can act on.
 */
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN } from '../ledger/entry';
import { isCalendarDate } from '../ledger/data-ref';
import { AMOUNT_PATTERN } from '../ledger/money';
import { LEDGER_EVENT_TYPE } from '../ledger/flush-batch';
import type { LedgerEventSummary } from './alert';

/** The event versions this consumer understands. A new version is added here with its payload schema. */
export const SUPPORTED_EVENT_VERSIONS = [1] as const;

export const malformedKinds = ['not_json', 'not_an_envelope', 'unknown_event_type', 'unknown_event_version', 'invalid_payload'] as const;
export type MalformedKind = (typeof malformedKinds)[number];

// z.guid, not z.uuid: the ledger derives event ids from an md5 (ledger_event_id), which carries no RFC 9562
// version or variant bits; any 8-4-4-4-12 hex id is accepted.
const envelopeSchema = z.object({
  event_id: z.guid(),
  event_type: z.string().min(1),
  event_version: z.number().int(),
  occurred_at: z.iso.datetime({ offset: true }),
  payload: z.record(z.string(), z.unknown()),
});

const payloadV1Schema = z.object({
  request_id: z.guid(),
  account_id: z.string().regex(ACCOUNT_ID_PATTERN),
  amount: z.string().regex(AMOUNT_PATTERN),
  direction: z.enum(['credit', 'debit']),
  data_ref: z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD'),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  batch_id: z.string().min(1),
});

export type ParsedEvent =
  | { ok: true; event: LedgerEventSummary }
  | { ok: false; kind: MalformedKind; reason: string; eventId: string | null };

/** The offending fields of a zod error, e.g. `payload.amount: Invalid string`. */
const describeIssues = (error: z.ZodError, prefix = ''): string =>
  error.issues
    .slice(0, 5)
    .map((issue) => `${prefix}${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');

/** Parses one Kafka message value; never throws. */
export function parseLedgerEvent(value: Buffer | null): ParsedEvent {
  if (!value || value.length === 0) return { ok: false, kind: 'not_json', reason: 'empty message value', eventId: null };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, kind: 'not_json', reason: `not JSON: ${(error as Error).message}`, eventId: null };
  }
  const envelope = envelopeSchema.safeParse(json);
  const eventId = typeof (json as { event_id?: unknown })?.event_id === 'string' ? ((json as { event_id: string }).event_id) : null;
  if (!envelope.success) {
    return { ok: false, kind: 'not_an_envelope', reason: `not an event envelope: ${describeIssues(envelope.error)}`, eventId };
  }
  const { event_type: type, event_version: version } = envelope.data;
  if (type !== LEDGER_EVENT_TYPE) {
    return { ok: false, kind: 'unknown_event_type', reason: `unknown event_type "${type}" (expected ${LEDGER_EVENT_TYPE})`, eventId };
  }
  if (!(SUPPORTED_EVENT_VERSIONS as readonly number[]).includes(version)) {
    return {
      ok: false,
      kind: 'unknown_event_version',
      reason: `unknown event_version ${version} of ${type} (supported: ${SUPPORTED_EVENT_VERSIONS.join(', ')})`,
      eventId,
    };
  }
  const payload = payloadV1Schema.safeParse(envelope.data.payload);
  if (!payload.success) {
    return { ok: false, kind: 'invalid_payload', reason: `payload violates ${type} v${version}: ${describeIssues(payload.error, 'payload.')}`, eventId };
  }
  const counterparty = payload.data.metadata?.counterparty;
  return {
    ok: true,
    event: {
      eventId: envelope.data.event_id.toLowerCase(),
      occurredAt: new Date(envelope.data.occurred_at).toISOString(),
      requestId: payload.data.request_id.toLowerCase(),
      accountId: payload.data.account_id,
      amount: payload.data.amount,
      direction: payload.data.direction,
      dataRef: payload.data.data_ref,
      description: payload.data.description,
      counterparty: typeof counterparty === 'string' ? counterparty.slice(0, 128) : null,
    },
  };
}
