/**
 * Payload encryption end to end: a probe started over HTTP by an API and workers sharing an AES-256-GCM key
 * leaves no clear text in Temporal's history (read with the real `temporal` CLI), the codec endpoint decodes
 * what the CLI shows (directly and as the CLI's --codec-endpoint), and rotating keys keeps old histories readable.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fluxoHome } from '../../scripts/stack/context';
import { apiKeyWith, bearer } from '../support/auth-fixtures';
import { eventually, startTestApi, startTestWorkers, type TestApi, type TestWorkers } from '../support/app';
import { json } from '../support/http';

const TEMPORAL = join(fluxoHome(), 'cache', 'temporal-venv', 'bin', 'temporal');
const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const b64 = (value: string) => Buffer.from(value).toString('base64');

let api: TestApi;
let workers: TestWorkers;
let admin: string;
/** The first test's workflow, written with k1 only. */
let firstWorkflowId: string;
let firstSecret: string;

async function start(keys: Record<string, string>) {
  workers = await startTestWorkers(['system'], keys);
  api = await startTestApi({ AUTH_MODE: 'apikey', ...keys });
  admin ??= (await apiKeyWith(api.stores.postgres.pool(), ['admin'])).key;
}
async function stop() {
  await api?.close();
  await workers?.stop();
}
afterAll(stop);

/**
 * `temporal workflow show -o json`, as an operator (or anyone with access to Temporal) would read it. Run
 * asynchronously: with --codec-endpoint the CLI calls back into the API served by this very process.
 */
function history(workflowId: string, codec?: { endpoint: string; auth: string }): Promise<string> {
  const args = ['workflow', 'show', '--workflow-id', workflowId, '--namespace', api.config.TEMPORAL_NAMESPACE, '--address', api.config.TEMPORAL_ADDRESS, '-o', 'json'];
  if (codec) args.push('--codec-endpoint', codec.endpoint, '--codec-auth', codec.auth);
  const child = spawn(TEMPORAL, args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`temporal workflow show exited ${code}: ${stderr}`));
    }),
  );
}

type JsonPayload = { metadata: Record<string, string>; data?: string };

/**
 * Every `{metadata, data}` payload object in the CLI's JSON, except search attributes: those are indexed by
 * the server, so Temporal never passes them through a codec (they hold ids, never amounts).
 */
function payloadsIn(value: unknown, found: JsonPayload[] = [], searchAttributes: JsonPayload[] = []): JsonPayload[] {
  if (Array.isArray(value)) value.forEach((item) => payloadsIn(item, found, searchAttributes));
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record.metadata && typeof record.metadata === 'object' && 'encoding' in (record.metadata as object)) found.push(record as never);
    else {
      for (const [key, item] of Object.entries(record)) {
        if (key === 'searchAttributes') payloadsIn(item, searchAttributes, []);
        else payloadsIn(item, found, searchAttributes);
      }
    }
  }
  return found;
}

function searchAttributesIn(raw: string): JsonPayload[] {
  const attributes: JsonPayload[] = [];
  payloadsIn(JSON.parse(raw), [], attributes);
  return attributes;
}

async function probe(message: string): Promise<string> {
  const response = await fetch(`${api.url}/v1/probes`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(admin) }, body: JSON.stringify({ message }) });
  expect(response.status).toBe(202);
  const { probe_id: probeId, workflow_id: workflowId } = await json(response);
  await eventually(async () => {
    const state = await json(await fetch(`${api.url}/v1/probes/${probeId}`, { headers: bearer(admin) }));
    return state.workflow_status === 'COMPLETED' ? state : undefined;
  });
  return workflowId;
}

test('the history holds only ciphertext; the codec endpoint and the CLI with --codec-endpoint read it', async () => {
  await start({ PAYLOAD_ENCRYPTION_KEYS: `k1=${k1}` });
  const secret = `account BR15-${randomUUID()} balance 1234.56`;
  const workflowId = await probe(secret);
  firstWorkflowId = workflowId;
  firstSecret = secret;

  const raw = await history(workflowId);
  expect(raw).not.toContain(secret);
  expect(raw).not.toContain(b64(secret).slice(0, 24));
  const payloads = payloadsIn(JSON.parse(raw));
  expect(payloads.length).toBeGreaterThanOrEqual(3); // input, activity input/result, workflow result
  for (const payload of payloads) {
    expect(payload.metadata.encoding).toBe(b64('binary/encrypted'));
    expect(payload.metadata['encryption-key-id']).toBe(b64('k1'));
  }
  // Search attributes stay plain, so the Web UI can still filter by Principal and RequestId.
  expect(searchAttributesIn(raw).map((payload) => payload.metadata.encoding)).toEqual([b64('json/plain'), b64('json/plain')]);

  const refused = await fetch(`${api.url}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payloads }) });
  expect(refused.status).toBe(401);
  const decoded = await fetch(`${api.url}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': api.config.TEMPORAL_NAMESPACE, ...bearer(admin) },
    body: JSON.stringify({ payloads }),
  });
  expect(decoded.status).toBe(200);
  const decodedPayloads: JsonPayload[] = (await json(decoded)).payloads;
  const inClear = decodedPayloads.filter((payload) => Buffer.from(payload.data ?? '', 'base64').toString().includes(secret));
  expect(decodedPayloads.every((payload) => payload.metadata.encoding === b64('json/plain'))).toBe(true);
  expect(inClear.length).toBeGreaterThanOrEqual(3);

  // The CLI, pointed at the codec endpoint, shows exactly those clear payloads.
  const viaCli = await history(workflowId, { endpoint: `${api.url}/codec`, auth: `Bearer ${admin}` });
  for (const payload of inClear) expect(viaCli).toContain(payload.data);
}, 120_000);

test('after rotation new payloads use the new key and old histories still decode; a stranger payload is a 400', async () => {
  await stop();
  // The first key becomes old, the second current: only new payloads change.
  await start({ PAYLOAD_ENCRYPTION_KEYS: `k1=${k1},k2=${k2}`, PAYLOAD_ENCRYPTION_KEY_ID: 'k2' });
  const after = await probe('written after the rotation');
  const payloads = payloadsIn(JSON.parse(await history(after)));
  expect(new Set(payloads.map((payload) => payload.metadata['encryption-key-id']))).toEqual(new Set([b64('k2')]));

  // The first test's workflow (k1 only) still decodes with the rotated ring.
  const oldPayloads = payloadsIn(JSON.parse(await history(firstWorkflowId)));
  expect(new Set(oldPayloads.map((payload) => payload.metadata['encryption-key-id']))).toEqual(new Set([b64('k1')]));
  const decoded = await fetch(`${api.url}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(admin) }, body: JSON.stringify({ payloads: oldPayloads }) });
  expect(decoded.status).toBe(200);
  expect(await api.temporal.client.workflow.getHandle(firstWorkflowId).result()).toMatchObject({ message: firstSecret });

  const forged = { metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('k9') }, data: b64('x'.repeat(40)) };
  const unknown = await fetch(`${api.url}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(admin) }, body: JSON.stringify({ payloads: [forged] }) });
  expect(unknown.status).toBe(400);
  expect(await json(unknown)).toMatchObject({ type: 'https://fluxo.dev/problems/undecodable-payload', detail: 'cannot decrypt payload: unknown encryption key id k9' });
}, 120_000);

test('CODEC_ENDPOINT_AUTH=none opens only the codec endpoint (for the dev server\'s login-less Web UI), never in production', async () => {
  const open = await startTestApi({ AUTH_MODE: 'apikey', CODEC_ENDPOINT_AUTH: 'none', PAYLOAD_ENCRYPTION_KEYS: `k1=${k1}` });
  try {
    const decoded = await fetch(`${open.url}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', origin: open.config.TEMPORAL_UI_URL }, body: '{"payloads":[]}' });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(open.config.TEMPORAL_UI_URL);
    expect((await fetch(`${open.url}/v1/auth/me`)).status).toBe(401);
  } finally {
    await open.close();
  }
  await expect(startTestApi({ AUTH_MODE: 'apikey', CODEC_ENDPOINT_AUTH: 'none', NODE_ENV: 'production' })).rejects.toThrow('CODEC_ENDPOINT_AUTH=none is refused when NODE_ENV=production');
});
