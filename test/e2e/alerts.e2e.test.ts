/**
 * The alert review end to end on the real servers (FLUXO_TEST_SERVICES=postgres,temporal,kafka):
 * POST /v1/lancamentos → shard buffer → PostgreSQL (flush + outbox) → Kafka (outbox relay) → event bridge →
 * evaluation `alert-<event_id>` (local model, then Gemini via the Vertex stand-in) → alert decision block → review
 * saga (account held, reviewers notified) → an analyst confirms over HTTP → account blocked → the ledger API
 * answers 423 for new entries on that account, and still accepts other accounts' entries.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { topicNames, topicSpecs } from '../../src/domain/topics';
import { createKafkaStore, type KafkaStore } from '../../src/stores/kafka';
import { startEventBridge, type EventBridge } from '../../src/workers/event-bridge/bridge';
import { startAlertsWorker, type AlertsWorker } from '../support/alerts';
import { startWebhookStandIn, type WebhookStandIn } from '../support/alerts-webhook';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { json } from '../support/http';
import { entryBody, ledgerTestSettings, terminateShards, skipEarlierOutboxRows } from '../support/ledger';
import { promptContext, startVertexStandIn, type VertexStandIn } from '../support/vertex-stand-in';

jest.setTimeout(420_000);

const run = randomUUID().slice(0, 8);
const suspect = `acc-e2e-suspect-${run}`;
let standIn: VertexStandIn;
let webhook: WebhookStandIn;
let settings: Record<string, string>;
let workers: TestWorkers;
let alertsWorker: AlertsWorker;
let api: TestApi;
let kafka: KafkaStore;
let bridge: EventBridge;

beforeAll(async () => {
  standIn = await startVertexStandIn((request) =>
    promptContext(request.body)?.entry?.account_id === suspect
      ? { kind: 'verdict', verdict: { score: 0.96, reason: 'first entry of the account: 50,000.00 at once', action: 'block' } }
      : { kind: 'verdict', verdict: { score: 0.05, reason: 'ordinary', action: 'ignore' } },
  );
  webhook = await startWebhookStandIn();
  settings = ledgerTestSettings('alerts-e2e', {
    LEDGER_FLUSH_INTERVAL_MS: '200',
    LEDGER_RELAY_ENABLED: 'true',
    LEDGER_RELAY_WORKFLOW_ID: `relay-alerts-e2e-${run}`,
    LEDGER_RELAY_IDLE_MS: '200',
    ALERTS_BRIDGE_GROUP_ID: `test-${run}-alerts-e2e`,
    // Every entry is reviewed by the (stand-in) LLM, which decides block for the suspect account only.
    ALERTS_PREFILTER_THRESHOLD: '0',
    ALERTS_LLM_AUTH: 'api-key',
    ALERTS_LLM_API_KEY: 'stand-in-key',
    ALERTS_LLM_ENDPOINT: standIn.url,
    ALERTS_NOTIFY_WEBHOOK_URL: webhook.url,
    // The ledger API reads account_blocks on every request here, so the 423 below needs no waiting.
    ALERTS_BLOCK_CACHE_MS: '0',
    // The machine running the tests is shared and loaded: the saga may take a while to answer the confirm.
    ALERTS_UPDATE_TIMEOUT_MS: '60000',
  });
  workers = await startTestWorkers(['ledger'], settings);
  // Its own worker: the shared one builds activities from process.env, which has none of the settings above.
  alertsWorker = await startAlertsWorker(settings);
  api = await startTestApi(settings);
  await skipEarlierOutboxRows(api.stores.postgres.pool());
  kafka = createKafkaStore(api.config);
  await kafka.ensureTopics(topicSpecs(api.config, [topicNames.ledgerEntryRegistered]));
  // A new group on the shared topic: only events from now on (other runs' events stay theirs).
  bridge = await startEventBridge({ kafka, temporal: api.temporal.client, config: api.config, logger: pino({ level: 'silent' }), fromBeginning: false });
});

afterAll(async () => {
  await bridge?.stop();
  await kafka?.close();
  if (api) {
    await terminateShards(api.temporal.client, settings);
    await api.temporal.client.workflow.getHandle(settings.LEDGER_RELAY_WORKFLOW_ID!).terminate('alerts e2e finished').catch(() => undefined);
  }
  await api?.close();
  await workers?.stop();
  await alertsWorker?.stop();
  await standIn?.close();
  await webhook?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const analyst = { 'x-user-id': 'ana', 'x-roles': 'analyst' };

test('POST /v1/lancamentos → PostgreSQL → Kafka → alert decision → review confirmed → account blocked → ledger 423', async () => {
  const entry = entryBody({ account_id: suspect, amount: '50000.00', direction: 'debit', description: 'transferência' });
  const accepted = await post('/v1/lancamentos', entry);
  expect(accepted.status).toBe(202);

  // The ledger persisted it and relayed LancamentoRegistrado; the bridge started its evaluation; the LLM decided block.
  const pool = api.stores.postgres.pool();
  // Up to 4 minutes: in the full suite this file's alerts worker also drains evaluations other files left on
  // the shared `alerts` queue (39 s alone, over 120 s once in a full run on 2026-11-22).
  const evaluation = await eventually(async () => {
    const { rows } = await pool.query('SELECT * FROM alert_evaluations WHERE request_id = $1', [entry.request_id]);
    return rows[0];
  }, 240_000);
  expect(evaluation).toMatchObject({ account_id: suspect, action: 'block', source: 'llm', prompt_version: 'alert-review-v1', fallback_reason: null });
  expect(evaluation.workflow_id).toBe(`alert-${evaluation.event_id}`);
  expect(evaluation.tokens.total).toBeGreaterThan(0);

  // The review saga stored the alert, held the account and notified the reviewers.
  const alert = await eventually(async () => {
    const body = await json(await fetch(`${api.url}/v1/alerts?account_id=${suspect}`));
    return body.alerts[0]?.account_block === 'held' ? body.alerts[0] : undefined;
  }, 120_000);
  expect(alert).toMatchObject({ alert_id: evaluation.event_id, status: 'open', action: 'block', source: 'llm', request_id: entry.request_id });
  await eventually(async () => (webhook.calls.some((call) => call.body.alert_id === alert.alert_id && call.body.kind === 'alert-raised') ? true : undefined), 120_000);

  // A viewer may read the alert but not decide on it.
  const viewer = await post(`/v1/alerts/${alert.alert_id}/confirm`, {}, { 'x-user-id': 'vic', 'x-roles': 'viewer' });
  expect(viewer.status).toBe(403);

  // The analyst confirms: the block is confirmed and the ledger refuses the account's new entries.
  const confirmed = await post(`/v1/alerts/${alert.alert_id}/confirm`, { note: 'confirmed with the customer' }, analyst);
  expect(confirmed.status).toBe(200);
  expect(await json(confirmed)).toMatchObject({ status: 'confirmed', account_block: 'confirmed', reviewed_by: 'ana', review_action: 'block' });
  const { rows: blocks } = await pool.query(`SELECT state FROM account_blocks WHERE account_id = $1`, [suspect]);
  expect(blocks).toEqual([{ state: 'confirmed' }]);

  const refused = await post('/v1/lancamentos', entryBody({ account_id: suspect }));
  expect(refused.status).toBe(423);
  expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await json(refused)).toMatchObject({ type: 'https://fluxo.dev/problems/account-blocked', status: 423, blocked_accounts: [suspect] });
  const batch = await post('/v1/lancamentos/batch', { entries: [entryBody({ account_id: `acc-e2e-other-${run}` }), entryBody({ account_id: suspect })] });
  expect(batch.status).toBe(423);
  expect((await post('/v1/lancamentos', entryBody({ account_id: `acc-e2e-other-${run}` }))).status).toBe(202);

  // The decisions are in the SIEM log, and a second decision on the same alert is a conflict.
  const { rows: siem } = await pool.query('SELECT kind, line FROM alert_siem_log WHERE alert_id = $1 ORDER BY seq', [alert.alert_id]);
  expect(siem.map((row: { kind: string }) => row.kind)).toEqual(['alert-raised', 'account-held', 'account-blocked', 'review-confirmed']);
  expect(siem[3].line).toMatchObject({ actor: 'analyst:ana', account_id: suspect, category: 'fraud-alert' });
  expect((await post(`/v1/alerts/${alert.alert_id}/dismiss`, {}, { 'x-user-id': 'bob', 'x-roles': 'analyst' })).status).toBe(409);
});

test('the alerts API validates its input (400 naming the field) and answers 404 for an unknown alert', async () => {
  const bad = await fetch(`${api.url}/v1/alerts?status=maybe&limit=0`);
  expect(bad.status).toBe(400);
  const body = await json(bad);
  expect(body.invalid_params.map((param: { name: string }) => param.name).sort()).toEqual(['query.limit', 'query.status']);
  expect((await fetch(`${api.url}/v1/alerts/${randomUUID()}`)).status).toBe(404);
  const badAction = await post(`/v1/alerts/${randomUUID()}/confirm`, { action: 'nuke' }, analyst);
  expect(badAction.status).toBe(400);
  expect((await json(badAction)).invalid_params[0].name).toBe('body.action');
});
