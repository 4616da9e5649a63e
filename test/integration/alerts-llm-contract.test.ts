/**
 * Contract test of the LLM review against a loopback server answering Vertex AI's `generateContent` REST shape:
 * the real client (LangChain ChatGoogle, platform gcp) is driven by the real activity, and the request it sends
 * is asserted (model path, service-account credentials, structured-output schema, token budget), then every
 * failure mode is shown to fall back to the local model, recorded as such. The rate limit is PostgreSQL's.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { importSPKI, jwtVerify } from 'jose';
import { z } from 'zod';
import { createAlertActivities } from '../../src/activities/alerts';
import type { LlmReviewInput } from '../../src/activities/alerts/llm-review';
import { loadConfig } from '../../src/config';
import type { AlertDecision, FallbackReason } from '../../src/domain/alerts/alert';
import { emptyFeatures } from '../../src/domain/alerts/features';
import { llmVerdictSchema } from '../../src/domain/alerts/llm-verdict';
import { estimateTokens, PROMPT_VERSION } from '../../src/domain/alerts/prompt';
import { pgRateLimiter } from '../../src/stores/llm';
import { createPostgresStore, type PostgresStore } from '../../src/stores/postgres';
import { promptContext, startVertexStandIn, type StandInReply, type VertexStandIn } from '../support/vertex-stand-in';

const PROJECT = 'fluxo-contract-project';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyId = randomUUID();
const clientEmail = 'alerts-reviewer@fluxo-contract-project.iam.gserviceaccount.com';
const keyFile = join(mkdtempSync(join(tmpdir(), 'fluxo-alerts-')), 'service-account.json');
writeFileSync(
  keyFile,
  JSON.stringify({
    type: 'service_account',
    project_id: PROJECT,
    private_key_id: keyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: clientEmail,
    token_uri: 'https://oauth2.googleapis.com/token',
  }),
);

let standIn: VertexStandIn;
let postgres: PostgresStore;

const settings = (overrides: Record<string, string> = {}) =>
  loadConfig({
    ...process.env,
    ALERTS_LLM_AUTH: 'service-account',
    ALERTS_LLM_CREDENTIALS_FILE: keyFile,
    ALERTS_LLM_ENDPOINT: standIn.url,
    ALERTS_LLM_LOCATION: 'us-central1',
    ALERTS_LLM_MODEL: 'gemini-2.5-flash',
    ALERTS_LLM_TIMEOUT_MS: '1500',
    ALERTS_LLM_RATE_PER_SECOND: '1000',
    ALERTS_LLM_BURST: '1000',
    ...overrides,
  });

const review = (input: LlmReviewInput, overrides: Record<string, string> = {}): Promise<AlertDecision> =>
  new MockActivityEnvironment().run(createAlertActivities({ postgres }, settings(overrides)).reviewWithLlm, input) as Promise<AlertDecision>;

function reviewInput(accountId: string): LlmReviewInput {
  const occurredAt = '2026-01-15T05:10:00.000Z';
  return {
    event: {
      eventId: randomUUID(),
      occurredAt,
      requestId: randomUUID(),
      accountId,
      amount: '9000.00',
      direction: 'debit',
      dataRef: '2026-01-15',
      description: 'transferência',
      counterparty: null,
    },
    features: { ...emptyFeatures(accountId, occurredAt), w30d: { count: 60, sum: 6000, mean: 100, std: 25 }, accountAgeDays: 400 },
    local: { score: 0.72, action: 'monitor', reason: 'logistic-v1: suspicious (amount 90.0× the 30-day mean (100.00))', modelVersion: 'logistic-v1' },
    entryAcceptedAt: occurredAt,
  };
}

/** History with long descriptions: 50 entries offered as context are far more than the budget allows. */
async function seedHistory(accountId: string, entries: number): Promise<void> {
  await postgres.pool().query(
    `INSERT INTO ledger_entries (request_id, account_id, amount_cents, direction, data_ref, description, content_hash, shard, batch_id, accepted_at)
     SELECT gen_random_uuid(), $1, 10000 + n, 'debit', '2026-01-14', repeat('descrição longa ', 30), 'h', 0, 'contract', timestamptz '2026-01-15T05:00:00Z' - n * interval '1 minute'
     FROM generate_series(1, $2) n`,
    [accountId, entries],
  );
}

beforeAll(async () => {
  standIn = await startVertexStandIn();
  postgres = createPostgresStore(loadConfig());
});
afterAll(async () => {
  await standIn?.close();
  await postgres?.close();
});
beforeEach(() => {
  standIn.requests.length = 0;
});

test('the real client sends generateContent for the model, signed by the service account, with the schema, within the token budget', async () => {
  const accountId = `acc-contract-${randomUUID().slice(0, 8)}`;
  await seedHistory(accountId, 80);
  standIn.respondWith({ kind: 'verdict', verdict: { score: 0.93, reason: 'amount 90× the usual at 02h', action: 'block' } });

  const decision = await review(reviewInput(accountId));

  expect(standIn.requests).toHaveLength(1);
  const [request] = standIn.requests;
  expect(request!.method).toBe('POST');
  expect(request!.path).toBe(`/v1/projects/${PROJECT}/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent`);

  // Credentials: a JWT signed with the service account's key (self-signed, scoped to cloud-platform).
  const bearer = String(request!.headers.authorization).replace(/^Bearer /, '');
  const verified = await jwtVerify(bearer, await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS256'));
  expect(verified.payload).toMatchObject({ iss: clientEmail, sub: clientEmail, scope: 'https://www.googleapis.com/auth/cloud-platform' });
  expect(verified.protectedHeader.kid).toBe(keyId);

  // Structured output: the zod schema as the response JSON schema.
  const { generationConfig, systemInstruction } = request!.body;
  expect(generationConfig).toMatchObject({ responseMimeType: 'application/json', temperature: 0, maxOutputTokens: 512, candidateCount: 1 });
  const { $schema: _sent, ...sentSchema } = generationConfig.responseJsonSchema;
  const { $schema: _expected, ...expectedSchema } = z.toJSONSchema(llmVerdictSchema) as Record<string, unknown>;
  expect(sentSchema).toEqual(expectedSchema);
  expect(systemInstruction.parts[0].text).toContain(PROMPT_VERSION);

  // Token budget: what was sent (text + schema) at ~4 characters a token, plus the output allowance, fits 6,000;
  // the 50 recent entries offered did not fit as they were, so the context was trimmed (long descriptions cut).
  const sentText = [...systemInstruction.parts, ...request!.body.contents.flatMap((content: { parts: unknown[] }) => content.parts)]
    .map((part: { text: string }) => part.text)
    .join('');
  expect(estimateTokens(sentText) + estimateTokens(JSON.stringify(generationConfig.responseJsonSchema)) + 512).toBeLessThanOrEqual(6000);
  const recent = promptContext(request!.body)!.recent_entries as { description: string }[];
  expect(recent).toHaveLength(50);
  for (const entry of recent) expect(entry.description).toMatch(/^.{40}…$/);

  // The decision is the LLM's, with the real usage from usageMetadata recorded next to the estimate.
  expect(decision).toMatchObject({
    source: 'llm',
    action: 'block',
    score: 0.93,
    reason: 'amount 90× the usual at 02h',
    model: 'gemini-2.5-flash-stand-in',
    promptVersion: PROMPT_VERSION,
    fallbackReason: null,
  });
  expect(decision.tokens!.prompt).toBe(Math.ceil((systemInstruction.parts[0].text.length + request!.body.contents[0].parts[0].text.length + 1) / 4));
  expect(decision.tokens!.output).toBeGreaterThan(0);
  expect(decision.tokens!.total).toBe(decision.tokens!.prompt + decision.tokens!.output);
  expect(decision.tokens!.estimated).toBeLessThanOrEqual(6000);
  expect(decision.tokens!.estimated).toBeGreaterThanOrEqual(decision.tokens!.prompt);
});

const failures: [string, FallbackReason, StandInReply][] = [
  ['no answer within the timeout', 'timeout', { kind: 'hang' }],
  ['400 Bad Request', 'http_4xx', { kind: 'status', status: 400 }],
  ['429 quota exhausted', 'http_4xx', { kind: 'status', status: 429 }],
  ['500 Internal Server Error', 'http_5xx', { kind: 'status', status: 500 }],
  ['503 Unavailable', 'http_5xx', { kind: 'status', status: 503 }],
  ['text that is not JSON', 'malformed', { kind: 'text', text: 'I think this is fraud {' }],
  ['JSON violating the schema', 'invalid', { kind: 'verdict', verdict: { score: 7, reason: '', action: 'nuke' } }],
  ['JSON with extra fields', 'invalid', { kind: 'verdict', verdict: { score: 0.5, reason: 'x', action: 'monitor', extra: true } }],
  ['no candidates', 'malformed', { kind: 'no-candidates' }],
  ['a blocked prompt', 'blocked_prompt', { kind: 'blocked' }],
];

test.each(failures)('%s → the local decision stands, recorded as fallback `%s`', async (_name, reason, reply) => {
  standIn.respondWith(reply);
  const input = reviewInput(`acc-fail-${randomUUID().slice(0, 8)}`);
  const decision = await review(input);
  expect(standIn.requests).toHaveLength(1);
  expect(decision).toMatchObject({
    source: 'local',
    action: input.local.action,
    score: input.local.score,
    reason: input.local.reason,
    model: 'logistic-v1',
    promptVersion: PROMPT_VERSION,
    fallbackReason: reason,
  });
  expect(decision.tokens!.estimated).toBeLessThanOrEqual(6000);
});

test('an unreachable endpoint falls back as `network`', async () => {
  const input = reviewInput(`acc-net-${randomUUID().slice(0, 8)}`);
  const closed = await startVertexStandIn();
  await closed.close();
  const decision = await review(input, { ALERTS_LLM_ENDPOINT: closed.url });
  expect(decision).toMatchObject({ source: 'local', action: 'monitor', fallbackReason: 'network' });
});

test('a budget too small for the entry itself falls back as `budget_exceeded` without calling', async () => {
  const decision = await review(reviewInput('acc-budget'), { ALERTS_LLM_TOKEN_BUDGET: '600' });
  expect(decision).toMatchObject({ source: 'local', fallbackReason: 'budget_exceeded', promptVersion: null, tokens: null });
  expect(standIn.requests).toHaveLength(0);
});

test('with the LLM disabled the local model decides, recorded as `disabled`', async () => {
  const decision = await review(reviewInput('acc-disabled'), { ALERTS_LLM_ENABLED: 'false' });
  expect(decision).toMatchObject({ source: 'local', fallbackReason: 'disabled' });
  expect(standIn.requests).toHaveLength(0);
});

test('the rate limit is shared by every worker: one bucket in PostgreSQL, never more than its tokens', async () => {
  const name = `test-${randomUUID()}`;
  // Two "workers" (two limiter instances), a bucket of 3 that refills once an hour.
  const workers = [0, 1].map(() => pgRateLimiter(() => postgres.pool(), { name, ratePerSecond: 1 / 3600, burst: 3 }));
  const decisions = await Promise.all(Array.from({ length: 10 }, (_, index) => workers[index % 2]!.tryAcquire()));
  expect(decisions.filter((decision) => decision.granted)).toHaveLength(3);
  for (const refused of decisions.filter((decision) => !decision.granted)) expect(refused.waitMs).toBeGreaterThan(60_000);
});

test('when no LLM slot frees up within ALERTS_LLM_MAX_QUEUE_MS the call is not made: fallback `rate_limited`', async () => {
  await postgres.pool().query(`INSERT INTO alert_llm_rate_limit (name, tokens, refilled_at) VALUES ('alerts-llm', 0, now())
    ON CONFLICT (name) DO UPDATE SET tokens = 0, refilled_at = now()`);
  const decision = await review(reviewInput('acc-rate'), { ALERTS_LLM_RATE_PER_SECOND: '0.001', ALERTS_LLM_MAX_QUEUE_MS: '200' });
  expect(decision).toMatchObject({ source: 'local', fallbackReason: 'rate_limited', tokens: null });
  expect(standIn.requests).toHaveLength(0);
  await postgres.pool().query(`DELETE FROM alert_llm_rate_limit WHERE name = 'alerts-llm'`);
});
