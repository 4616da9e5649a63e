/**
 * The catalog on the GCS backend (fake-gcs-server): a publish uploads, reads back and verifies its snapshot in
 * the bucket, and GET /v1/catalogo/current answers a GCS v4 signed URL (signed offline with a throwaway
 * service-account key) that downloads the published bytes. The emulator does not check v4 signatures, so
 * this proves the URL's form and target, not its cryptography (see docs/services/object-storage.md).
 *
 * Run: FLUXO_TEST_SERVICES=postgres,temporal,gcs npx jest test/integration/catalog-gcs.test.ts
 */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogKeys } from '../../src/domain/catalog/storage-layout';
import { eventually, startTestApi, type TestApi } from '../support/app';
import { csvRows, HEADER, startCatalogWorker, uniqueCatalogId } from '../support/catalog';
import { json } from '../support/http';

/** A throwaway service-account key: v4 URLs are signed offline, and no key is ever committed. */
function serviceAccountKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const file = join(mkdtempSync(join(tmpdir(), 'fluxo-catalog-gcs-')), 'service-account.json');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'fluxo-local',
      private_key_id: randomUUID(),
      private_key: privateKey,
      client_email: 'fluxo-catalog-test@fluxo-local.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
    { mode: 0o600 },
  );
  return file;
}


// Real servers on a machine shared with other work: runs can be slow, never stuck.
jest.setTimeout(180_000);

const settings = {
  STORAGE_BACKEND: 'gcs',
  STORAGE_GCS_ENDPOINT: process.env.STORAGE_GCS_ENDPOINT ?? 'http://127.0.0.1:4443',
  STORAGE_GCS_KEY_FILE: serviceAccountKey(),
  CATALOG_EVENTS_ENABLED: 'false',
};
let api: TestApi;
let workers: Awaited<ReturnType<typeof startCatalogWorker>>;

beforeAll(async () => {
  workers = await startCatalogWorker(settings);
  api = await startTestApi(settings);
});
afterAll(async () => {
  await api?.close();
  await workers?.stop();
});

test('a CSV published to GCS is verified there and served by a v4 signed URL', async () => {
  const catalogId = uniqueCatalogId('gcs');
  const accepted = await json(
    await fetch(`${api.url}/v1/catalogo/sync?catalog_id=${catalogId}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: `${HEADER}\n${csvRows(30)}\n` }),
  );
  expect(accepted.status).toBe('accepted');
  const done = await eventually(async () => {
    const body = await json(await fetch(`${api.url}${accepted.status_url}`));
    return body.workflow_status === 'RUNNING' ? undefined : body;
  }, 120_000, 300);
  expect(done).toMatchObject({ workflow_status: 'COMPLETED', result: { version: 1, itemCount: 30, divergence: 0 } });
  expect(done.result.snapshotUri).toBe(`gs://${api.config.STORAGE_GCS_BUCKET}/${catalogKeys.snapshot(catalogId, 1)}`);

  const current = await json(await fetch(`${api.url}/v1/catalogo/current?catalog_id=${catalogId}`));
  const signed = new URL(current.url);
  expect(signed.origin).toBe(new URL(settings.STORAGE_GCS_ENDPOINT).origin);
  expect(signed.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
  expect(signed.searchParams.get('X-Goog-Expires')).toBe(String(24 * 3600));
  expect(signed.searchParams.get('X-Goog-Signature')).toMatch(/^[0-9a-f]{512}$/);

  const download = await fetch(signed);
  expect(download.status).toBe(200);
  const bytes = Buffer.from(await download.arrayBuffer());
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(current.sha256);
  const latest = JSON.parse((await api.stores.objectStorage.getBuffer(catalogKeys.latest(catalogId))).toString());
  expect(latest).toMatchObject({ version: 1, sha256: current.sha256 });

  for (const object of await api.stores.objectStorage.list(`catalog/${catalogId}/`)) await api.stores.objectStorage.delete(object.key);
});
