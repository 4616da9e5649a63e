/**
 * The catalog API end to end (HTTP → Temporal → activities → PostgreSQL + object storage → HTTP): a CSV upload
 * published and downloadable through its signed URL; expired or forged signed URLs refused; two concurrent
 * publish requests giving one publish; a form upload (multipart); a storage URI as the source; bad input
 * refused without side effects.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { signLocalUrl } from '../../src/stores/object-storage';
import { eventually, startTestApi, type TestApi } from '../support/app';
import { csvRows, HEADER, startCatalogWorker, uniqueCatalogId } from '../support/catalog';
import { json } from '../support/http';


// Real servers on a machine shared with other work: runs can be slow, never stuck.
jest.setTimeout(180_000);

const settings = {
  STORAGE_BACKEND: 'local',
  STORAGE_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'fluxo-catalog-e2e-')),
  STORAGE_SIGNING_SECRET: 'catalog-e2e-signing-secret-0123456789',
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

const url = (path: string) => `${api.url}${path}`;
const postCsv = (catalogId: string, csv: string) =>
  fetch(url(`/v1/catalogo/sync?catalog_id=${catalogId}`), { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
const postJson = (catalogId: string, body: unknown) =>
  fetch(url(`/v1/catalogo/sync?catalog_id=${catalogId}`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Polls the run's status URL until the workflow closed; returns the last status body. */
async function finished(statusUrl: string) {
  return eventually(async () => {
    const body = await json(await fetch(url(statusUrl)));
    return body.workflow_status === 'RUNNING' ? undefined : body;
  }, 120_000, 300);
}

async function versionCount(catalogId: string): Promise<number> {
  const { rows } = await api.stores.postgres.pool().query('SELECT count(*)::int AS n FROM catalog_versions WHERE catalog_id = $1', [catalogId]);
  return rows[0].n;
}

test('a CSV upload is imported and published; current gives a signed URL to the verified bytes', async () => {
  const catalogId = uniqueCatalogId('e2e');
  const response = await postCsv(catalogId, `\uFEFF${HEADER}\r\n${csvRows(20).replace(/\n/g, '\r\n')}\r\nBAD,x,1.234,c,,\r\n`);
  expect(response.status).toBe(202);
  const accepted = await json(response);
  expect(accepted).toMatchObject({ catalog_id: catalogId, workflow_id: `catalog-publish-${catalogId}`, status: 'accepted' });
  expect(accepted.import_id).toEqual(expect.any(String));

  // 1 bad row of 21 is 4.8 %, over the 1 % threshold: rejected, with a downloadable report.
  const failed = await finished(accepted.status_url);
  expect(failed).toMatchObject({ workflow_status: 'FAILED', progress: { step: 'failed', import: { status: 'rejected', rowsInvalid: 1 } } });
  expect(failed.failure).toMatch(/1 of 21 rows are invalid/);
  const report = await json(await fetch(url(`/v1/catalogo/imports/${accepted.import_id}/errors`)));
  expect(report.import).toMatchObject({ status: 'rejected', rows_total: 21, rows_invalid: 1 });
  expect(report.issues).toEqual([{ row: 22, line: 22, column: 'price', reason: 'price must have at most 2 decimal places, got 1.234', severity: 'error' }]);
  const csvReport = await fetch(url(`/v1/catalogo/imports/${accepted.import_id}/errors?format=csv`));
  expect(csvReport.headers.get('content-disposition')).toMatch(/attachment/);
  expect(await csvReport.text()).toBe('row,line,column,severity,reason\r\n22,22,price,error,"price must have at most 2 decimal places, got 1.234"\r\n');
  expect((await fetch(url(`/v1/catalogo/current?catalog_id=${catalogId}`))).status).toBe(404);

  // The corrected file goes through.
  const second = await json(await postCsv(catalogId, `${HEADER}\r\n${csvRows(20).replace(/\n/g, '\r\n')}\r\n`));
  const done = await finished(second.status_url);
  // The rejected run drafted nothing, so this is the catalog's first version.
  expect(done).toMatchObject({ workflow_status: 'COMPLETED', result: { version: 1, itemCount: 20 } });

  const current = await json(await fetch(url(`/v1/catalogo/current?catalog_id=${catalogId}`)));
  expect(current).toMatchObject({ catalog_id: catalogId, version: 1, item_count: 20 });
  expect(current.url).toMatch(/^\/files\/catalog\//);
  const expiresIn = Date.parse(current.url_expires_at) - Date.now();
  expect(expiresIn).toBeGreaterThan(23 * 3600 * 1000);
  expect(expiresIn).toBeLessThanOrEqual(24 * 3600 * 1000);

  const download = await fetch(url(current.url));
  expect(download.status).toBe(200);
  const bytes = Buffer.from(await download.arrayBuffer());
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(current.sha256);
  expect(download.headers.get('etag')).toBe(`"${current.sha256}"`);
  expect(gunzipSync(bytes).toString('utf8').trim().split('\n')).toHaveLength(20);
  const manifest = await json(await fetch(url(current.manifest_url)));
  expect(manifest).toMatchObject({ version: 1, item_count: 20, sha256: current.sha256 });

  const item = await json(await fetch(url(`/v1/catalogo/items/SKU00003?catalog_id=${catalogId}`)));
  expect(item).toMatchObject({ sku: 'SKU00003', name: 'Item 3', price: '21.50', active: true, attributes: {} });
  const versions = await json(await fetch(url(`/v1/catalogo/versions?catalog_id=${catalogId}`)));
  expect(versions.versions.map((version: { version: number; status: string }) => [version.version, version.status])).toEqual([[1, 'published']]);
});

test('expired, forged and altered signed URLs are refused with 403; a vanished object is 404', async () => {
  const catalogId = uniqueCatalogId('signed');
  const done = await finished((await json(await postJson(catalogId, {}))).status_url);
  expect(done.workflow_status).toBe('COMPLETED');
  const current = await json(await fetch(url(`/v1/catalogo/current?catalog_id=${catalogId}`)));
  const genuine = new URL(url(current.url));
  const key = decodeURIComponent(genuine.pathname.slice('/files/'.length));

  const expectRefused = async (href: string, detail: RegExp) => {
    const response = await fetch(href);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await json(response)).detail).toMatch(detail);
  };
  // Expired: signed with the right secret, an expiry in the past.
  const expired = signLocalUrl(key, Math.floor(Date.now() / 1000) - 60, settings.STORAGE_SIGNING_SECRET).replace('/v1/storage/', '/files/');
  await expectRefused(url(expired), /expired at/);
  // Forged: signed with another secret.
  const forged = signLocalUrl(key, Math.floor(Date.now() / 1000) + 3600, 'not-the-secret-of-this-api-0000').replace('/v1/storage/', '/files/');
  await expectRefused(url(forged), /valid signature/);
  // Altered: a genuine URL with a later expiry or another key.
  const later = new URL(genuine);
  later.searchParams.set('expires', String(Number(genuine.searchParams.get('expires')) + 3600));
  await expectRefused(later.toString(), /valid signature/);
  await expectRefused(genuine.toString().replace('catalog.ndjson.gz', 'manifest.json'), /valid signature/);
  await expectRefused(url(`/files/${key}`), /valid signature/);

  expect((await fetch(genuine)).status).toBe(200);
  await api.stores.objectStorage.delete(key);
  expect((await fetch(genuine)).status).toBe(404);
});

test('the signed URL needs no credentials even where the API does', async () => {
  const keyApi = await startTestApi({ ...settings, AUTH_MODE: 'apikey', QUOTA_REQUESTS: '0' });
  try {
    const catalogId = uniqueCatalogId('public');
    const done = await finished((await json(await postJson(catalogId, {}))).status_url);
    expect(done.workflow_status).toBe('COMPLETED');
    const current = await json(await fetch(url(`/v1/catalogo/current?catalog_id=${catalogId}`)));
    const unauthenticated = await fetch(`${keyApi.url}/v1/catalogo/current?catalog_id=${catalogId}`, { headers: { connection: 'close' } });
    expect(unauthenticated.status).toBe(401);
    const download = await fetch(`${keyApi.url}${current.url}`, { headers: { connection: 'close' } });
    expect(download.status).toBe(200);
    await download.arrayBuffer();
  } finally {
    await keyApi.close();
  }
}, 180_000);

test('two concurrent publish requests make one publish, both answered with it', async () => {
  const catalogId = uniqueCatalogId('twice');
  const csv = `${HEADER}\n${csvRows(50)}\n`;
  const [first, second] = await Promise.all([postCsv(catalogId, csv), postCsv(catalogId, csv)]);
  expect([first.status, second.status]).toEqual([202, 202]);
  const answers = [await json(first), await json(second)];
  expect(answers[0].run_id).toBe(answers[1].run_id);
  expect(answers.map((answer) => answer.status).sort()).toEqual(['accepted', 'already_running']);
  expect(answers[0].import_id).toBe(answers[1].import_id);

  expect(await finished(answers[0].status_url)).toMatchObject({ workflow_status: 'COMPLETED', result: { version: 1 } });
  expect(await versionCount(catalogId)).toBe(1);
  // The losing request's upload was not kept.
  const sources = await api.stores.objectStorage.list(`catalog/${catalogId}/imports/`);
  expect(sources.map((object) => object.key)).toEqual([`catalog/${catalogId}/imports/${answers[0].import_id}/source.csv`]);
});

test('a CSV over CATALOG_UPLOAD_MAX_BYTES is refused with 413, and nothing is kept or started', async () => {
  const smallApi = await startTestApi({ ...settings, CATALOG_UPLOAD_MAX_BYTES: '2048' });
  try {
    const catalogId = uniqueCatalogId('big');
    const response = await fetch(`${smallApi.url}/v1/catalogo/sync?catalog_id=${catalogId}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', connection: 'close' },
      body: `${HEADER}\n${csvRows(200)}\n`,
    });
    expect(response.status).toBe(413);
    expect((await json(response)).type).toBe('https://fluxo.dev/problems/payload-too-large');
    expect(await smallApi.stores.objectStorage.list(`catalog/${catalogId}/`)).toEqual([]);
    expect(await api.temporal.client.workflow.getHandle(`catalog-publish-${catalogId}`).describe().catch(() => undefined)).toBeUndefined();
  } finally {
    await smallApi.close();
  }
});

test('a CSV uploaded as a form (multipart, field "file") is imported; a form without it is a 400 that keeps nothing', async () => {
  const catalogId = uniqueCatalogId('form');
  const csv = `${HEADER}\r\n${csvRows(7).replace(/\n/g, '\r\n')}\r\n`;
  const body = new FormData();
  body.append('file', new Blob([csv], { type: 'text/csv' }), 'catalog.csv');
  const response = await fetch(url(`/v1/catalogo/sync?catalog_id=${catalogId}`), { method: 'POST', body });
  expect(response.status).toBe(202);
  const accepted = await json(response);
  expect(await finished(accepted.status_url)).toMatchObject({ workflow_status: 'COMPLETED', result: { itemCount: 7, import: { rowsValid: 7 } } });
  // What was stored and imported is the file itself, not the form around it.
  const source = await api.stores.objectStorage.getBuffer(`catalog/${catalogId}/imports/${accepted.import_id}/source.csv`);
  expect(source.toString('utf8')).toBe(csv);

  const other = uniqueCatalogId('form-bad');
  const wrong = new FormData();
  wrong.append('upload', new Blob([csv], { type: 'text/csv' }), 'catalog.csv');
  const refused = await fetch(url(`/v1/catalogo/sync?catalog_id=${other}`), { method: 'POST', body: wrong, headers: { connection: 'close' } });
  expect(refused.status).toBe(400);
  expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect((await json(refused)).invalid_params.map((param: { name: string }) => param.name)).toEqual(['body.upload']);
  expect(await api.stores.objectStorage.list(`catalog/${other}/`)).toEqual([]);
  expect(await api.temporal.client.workflow.getHandle(`catalog-publish-${other}`).describe().catch(() => undefined)).toBeUndefined();
});

test('a CSV already in storage is imported by its URI', async () => {
  const catalogId = uniqueCatalogId('uri');
  const key = `incoming/${catalogId}/catalog.csv`;
  await api.stores.objectStorage.put(key, Buffer.from(`${HEADER}\n${csvRows(5)}\n`));
  const accepted = await json(await postJson(catalogId, { source_uri: api.stores.objectStorage.uri(key) }));
  expect(accepted.status).toBe('accepted');
  expect(await finished(accepted.status_url)).toMatchObject({ workflow_status: 'COMPLETED', result: { itemCount: 5, import: { rowsValid: 5 } } });
});

test('bad input is a 400 problem naming each field, and starts nothing', async () => {
  const catalogId = uniqueCatalogId('bad');
  const problemOf = async (response: Response) => {
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await json(response)).invalid_params.map((param: { name: string }) => param.name);
  };
  expect(await problemOf(await postJson(catalogId, { source_uri: 'https://example.com/x.csv', colour: 'red' }))).toEqual(['body.colour']);
  expect(await problemOf(await postJson(catalogId, { source_uri: 'https://example.com/x.csv' }))).toEqual(['body.source_uri']);
  expect(await problemOf(await postJson(catalogId, { source_uri: api.stores.objectStorage.uri('incoming/missing.csv') }))).toEqual(['body.source_uri']);
  expect(await problemOf(await fetch(url('/v1/catalogo/sync?catalog_id=Not_Valid'), { method: 'POST' }))).toEqual(['query.catalog_id']);
  expect(await problemOf(await fetch(url('/v1/catalogo/items/bad%20sku')))).toEqual(['path.sku']);
  expect(await versionCount(catalogId)).toBe(0);
  const description = await api.temporal.client.workflow.getHandle(`catalog-publish-${catalogId}`).describe().catch(() => undefined);
  expect(description).toBeUndefined();

  expect((await fetch(url(`/v1/catalogo/items/NOPE?catalog_id=${catalogId}`))).status).toBe(404);
  expect((await fetch(url('/v1/catalogo/imports/00000000-0000-4000-8000-000000000000/errors'))).status).toBe(404);
});
