/** Reading LancamentoRegistrado from Kafka: the valid envelope, and each kind of malformed message. */
import { randomUUID } from 'node:crypto';
import { parseLedgerEvent } from '../../src/domain/alerts/event';

export function ledgerEvent(overrides: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) {
  return {
    event_id: randomUUID(),
    event_type: 'LancamentoRegistrado',
    event_version: 1,
    occurred_at: '2026-01-15T12:00:00.000Z',
    payload: {
      request_id: randomUUID(),
      account_id: 'acc-1',
      amount: '125.50',
      direction: 'debit',
      data_ref: '2026-01-15',
      description: 'café',
      metadata: { counterparty: 'padaria' },
      batch_id: 'ledger-buffer-0:run:1',
      ...payload,
    },
    ...overrides,
  };
}
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

test('a valid event becomes the evaluation input', () => {
  const event = ledgerEvent();
  const parsed = parseLedgerEvent(bytes(event));
  expect(parsed).toEqual({
    ok: true,
    event: {
      eventId: event.event_id,
      occurredAt: '2026-01-15T12:00:00.000Z',
      requestId: event.payload.request_id,
      accountId: 'acc-1',
      amount: '125.50',
      direction: 'debit',
      dataRef: '2026-01-15',
      description: 'café',
      counterparty: 'padaria',
    },
  });
});

test.each([
  ['not_json', null, /empty/],
  ['not_json', '{"event_id": ', /not JSON/],
  ['not_an_envelope', { hello: 'world' }, /event_id/],
  ['unknown_event_type', ledgerEvent({ event_type: 'CatalogoPublicado' }), /unknown event_type "CatalogoPublicado"/],
  ['unknown_event_version', ledgerEvent({ event_version: 2 }), /unknown event_version 2/],
  ['invalid_payload', ledgerEvent({}, { amount: '-5' }), /payload\.amount/],
  ['invalid_payload', ledgerEvent({}, { account_id: undefined }), /payload\.account_id/],
])('%s: %p', (kind, value, reason) => {
  const parsed = parseLedgerEvent(value === null ? null : bytes(value));
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.kind).toBe(kind);
  expect(parsed.reason).toMatch(reason);
});

test('the ledger’s md5-derived event ids (no RFC 9562 version bits) are accepted', () => {
  const event = ledgerEvent({ event_id: 'd41d8cd9-8f00-b204-e980-0998ecf8427e' });
  const parsed = parseLedgerEvent(bytes(event));
  expect(parsed).toMatchObject({ ok: true, event: { eventId: 'd41d8cd9-8f00-b204-e980-0998ecf8427e' } });
});
