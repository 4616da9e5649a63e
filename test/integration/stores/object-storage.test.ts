/**
 * Object storage against real backends: the same contract for the local folder and for GCS (the native
 * stack's fake-gcs-server), then what only one backend has: local signed URLs and key collisions, GCS v4
 * signed URLs, a missing bucket, and the emulator stopping and coming back.
 *
 * Run: FLUXO_TEST_SERVICES=gcs npx jest test/integration/stores/object-storage.test.ts
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../../../src/config';
import {
  createObjectStorage,
  InvalidObjectKeyError,
  ObjectNotFoundError,
  verifySignedUrl,
  type ObjectStorage,
  type ObjectStorageConfig,
} from '../../../src/stores/object-storage';
import { stackDown, stackUp } from '../../support/stack';

/** Small, so a stall or a stopped emulator fails fast; large enough for a 6 MiB upload on a busy machine. */
const TIMEOUT_MS = 5000;
const SECRET = 'object-storage-test-secret-0123456789';
const GCS_ENDPOINT = process.env.STORAGE_GCS_ENDPOINT ?? 'http://127.0.0.1:4443';

const scratch = mkdtempSync(join(tmpdir(), 'fluxo-object-storage-'));
/** Every key of this run lives under its own prefix, so runs never see each other's objects. */
const run = `test-${randomUUID()}/`;

/** A throwaway service-account key made here: v4 URLs are signed offline, and no key is ever committed. */
function writeServiceAccountKey(dir: string): { file: string; email: string } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const email = 'fluxo-test@fluxo-local.iam.gserviceaccount.com';
  const file = join(dir, 'service-account.json');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: 'fluxo-local',
      private_key_id: randomUUID(),
      private_key: privateKey,
      client_email: email,
      client_id: '1',
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
    { mode: 0o600 },
  );
  return { file, email };
}
const serviceAccount = writeServiceAccountKey(scratch);

function configFor(backend: 'local' | 'gcs', overrides: Record<string, string> = {}): ObjectStorageConfig {
  return loadConfig({
    STORAGE_BACKEND: backend,
    STORAGE_LOCAL_DIR: join(scratch, 'local'),
    STORAGE_GCS_ENDPOINT: GCS_ENDPOINT,
    STORAGE_GCS_KEY_FILE: serviceAccount.file,
    STORAGE_SIGNING_SECRET: SECRET,
    STORAGE_TIMEOUT_MS: String(TIMEOUT_MS),
    ...(process.env.STORAGE_GCS_BUCKET ? { STORAGE_GCS_BUCKET: process.env.STORAGE_GCS_BUCKET } : {}),
    ...overrides,
  });
}

/** `total` random bytes as a stream of 64 KiB chunks, and their SHA-256. */
function randomBody(total: number): { stream: () => Readable; bytes: Buffer; sha256: string } {
  const bytes = randomBytes(total);
  const stream = () =>
    Readable.from(
      (function* () {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024) yield bytes.subarray(offset, offset + 64 * 1024);
      })(),
    );
  return { stream, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Sends some bytes, then fails, as an upload from a dropped client would. */
function failingBody(): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(randomBytes(256 * 1024));
      } else {
        this.destroy(new Error('client went away'));
      }
    },
  });
}

/** Never sends a byte and never ends. */
const stalledBody = () => new Readable({ read() {} });

async function streamSha256(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe.each(['local', 'gcs'] as const)('object storage contract: %s', (backend) => {
  let store: ObjectStorage;
  const key = (name: string) => `${run}${backend}/${name}`;

  beforeAll(async () => {
    store = createObjectStorage(configFor(backend));
    await store.check();
  });
  afterAll(async () => {
    for (const object of await store.list(run)) await store.delete(object.key);
    await store.close();
    await store.close();
  });

  it('round-trips a streamed multi-MB body with a SHA-256 computed on the way', async () => {
    const body = randomBody(6 * 1024 * 1024 + 123);
    const put = await store.put(key('reports/big.bin'), body.stream(), { contentType: 'application/vnd.apache.parquet' });
    expect(put).toEqual({ key: key('reports/big.bin'), size: body.bytes.length, sha256: body.sha256 });

    expect(await store.head(key('reports/big.bin'))).toEqual({
      size: body.bytes.length,
      sha256: body.sha256,
      contentType: 'application/vnd.apache.parquet',
    });
    expect(await streamSha256(await store.get(key('reports/big.bin')))).toBe(body.sha256);
    expect((await store.getBuffer(key('reports/big.bin'))).equals(body.bytes)).toBe(true);
  });

  it('stores a Buffer, replaces it on a second put, and defaults the content type', async () => {
    await store.put(key('notes/a.txt'), Buffer.from('first'));
    const second = await store.put(key('notes/a.txt'), Buffer.from('second version'));
    expect(second.sha256).toBe(createHash('sha256').update('second version').digest('hex'));
    expect((await store.getBuffer(key('notes/a.txt'))).toString()).toBe('second version');
    expect(await store.head(key('notes/a.txt'))).toEqual({
      size: 14,
      sha256: second.sha256,
      contentType: 'application/octet-stream',
    });
  });

  it('lists by plain string prefix, sorted, with sizes', async () => {
    for (const name of ['p/a2', 'p/a1', 'p/b1', 'q/x']) await store.put(key(`list/${name}`), Buffer.from(name));
    expect(await store.list(key('list/p/a'))).toEqual([
      { key: key('list/p/a1'), size: 4 },
      { key: key('list/p/a2'), size: 4 },
    ]);
    expect((await store.list(key('list/'))).map((object) => object.key)).toEqual(
      ['p/a1', 'p/a2', 'p/b1', 'q/x'].map((name) => key(`list/${name}`)),
    );
    expect(await store.list(key('list/nothing-here/'))).toEqual([]);
  });

  it('deletes idempotently, and a missing object is undefined / ObjectNotFoundError', async () => {
    await store.put(key('gone.txt'), Buffer.from('bye'));
    await store.delete(key('gone.txt'));
    await store.delete(key('gone.txt'));
    await store.delete(key('never-existed.txt'));
    expect(await store.head(key('gone.txt'))).toBeUndefined();
    expect((await store.list(key('gone'))).length).toBe(0);
    await expect(store.get(key('gone.txt'))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.getBuffer(key('gone.txt'))).rejects.toThrow(/object ".*gone\.txt" not found/);
  });

  it('rejects unsafe keys with a clear error before touching the store', async () => {
    const bad = ['', '/etc/passwd', 'a/../b', '..', 'a//b', 'a/', './a', 'a\\b', 'a\nb'];
    for (const candidate of bad) {
      await expect(store.put(candidate, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(store.head(candidate)).rejects.toThrow(/invalid object key/);
      await expect(store.get(candidate)).rejects.toThrow(/invalid object key/);
      await expect(store.delete(candidate)).rejects.toThrow(/invalid object key/);
      expect(() => store.uri(candidate)).toThrow(InvalidObjectKeyError);
    }
    await expect(store.put('a/../b', Buffer.from('x'))).rejects.toThrow('invalid object key "a/../b": ".." segments are not allowed');
    await expect(store.list('../')).rejects.toThrow(/invalid object key/);
    await expect(store.list('/abs')).rejects.toThrow(/must not start with "\/"/);
  });

  it('leaves the previous object intact when an upload fails half-way', async () => {
    await store.put(key('atomic.bin'), Buffer.from('old and complete'));
    await expect(store.put(key('atomic.bin'), failingBody())).rejects.toThrow(/client went away/);
    expect((await store.getBuffer(key('atomic.bin'))).toString()).toBe('old and complete');

    await expect(store.put(key('half-written.bin'), failingBody())).rejects.toThrow(/client went away/);
    expect(await store.head(key('half-written.bin'))).toBeUndefined();
  });

  it('gives up on a stalled upload within the timeout and stores nothing', async () => {
    const started = Date.now();
    await expect(store.put(key('stalled.bin'), stalledBody())).rejects.toThrow(`stalled: no progress for ${TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1500);
    expect(await store.head(key('stalled.bin'))).toBeUndefined();
  });

  it('names where the object lives', () => {
    const uri = store.uri(key('reports/big.bin'));
    if (backend === 'local') expect(uri).toBe(`file://${join(scratch, 'local', 'objects', run, 'local', 'reports', 'big.bin')}`);
    else expect(uri).toBe(`gs://${configFor('gcs').STORAGE_GCS_BUCKET}/${key('reports/big.bin')}`);
  });
});

describe('local backend', () => {
  const config = configFor('local');
  const store = createObjectStorage(config);
  const key = `${run}local-only/catalog v1/ação.json`;

  beforeAll(() => store.put(key, Buffer.from('{"ok":true}'), { contentType: 'application/json' }));

  it('signs a URL the API can verify, and rejects it expired or tampered', async () => {
    const { url, expiresAt } = await store.signedUrl(key, { ttlSeconds: 300 });
    const parsed = new URL(url, 'http://api.invalid');
    expect(parsed.pathname.startsWith('/v1/storage/')).toBe(true);
    const decodedKey = parsed.pathname.slice('/v1/storage/'.length).split('/').map(decodeURIComponent).join('/');
    expect(decodedKey).toBe(key);
    const expires = parsed.searchParams.get('expires')!;
    const signature = parsed.searchParams.get('signature')!;
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(expires)).toBe(expiresAt.getTime() / 1000);
    const now = Number(expires) - 300;

    expect(verifySignedUrl(decodedKey, expires, signature, SECRET, now)).toBe('ok');
    expect(verifySignedUrl(decodedKey, expires, signature, SECRET, Number(expires))).toBe('ok');
    expect(verifySignedUrl(decodedKey, expires, signature, SECRET, Number(expires) + 1)).toBe('expired');

    const flipped = (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1);
    expect(verifySignedUrl(decodedKey, expires, flipped, SECRET, now)).toBe('forged');
    expect(verifySignedUrl(`${decodedKey}x`, expires, signature, SECRET, now)).toBe('forged');
    expect(verifySignedUrl(decodedKey, String(Number(expires) + 3600), signature, SECRET, now)).toBe('forged');
    expect(verifySignedUrl(decodedKey, expires, signature, 'another-secret-0123456789', now)).toBe('forged');
    expect(verifySignedUrl(decodedKey, `0${expires}`, signature, SECRET, now)).toBe('forged');
    expect(verifySignedUrl(decodedKey, 'soon', signature, SECRET, now)).toBe('forged');
    expect(verifySignedUrl(decodedKey, expires, signature.slice(2), SECRET, now)).toBe('forged');
    // Expired *and* tampered is forged: only a genuine URL learns that it expired.
    expect(verifySignedUrl(decodedKey, expires, flipped, SECRET, Number(expires) + 1)).toBe('forged');
  });

  it('refuses a lifetime GCS could not honour', async () => {
    await expect(store.signedUrl(key, { ttlSeconds: 8 * 24 * 3600 })).rejects.toThrow(/ttlSeconds must be an integer from 1 to 604800/);
  });

  it('explains that a key cannot also be another key’s folder', async () => {
    await store.put(`${run}local-only/clash`, Buffer.from('file'));
    await expect(store.put(`${run}local-only/clash/inner`, Buffer.from('x'))).rejects.toThrow(/collides with another key's folder/);
    // A folder is a prefix, not an object.
    expect(await store.head(`${run}local-only`)).toBeUndefined();
    await expect(store.get(`${run}local-only`)).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('leaves no temp files behind after failed and successful puts', async () => {
    await expect(store.put(`${run}local-only/fail.bin`, failingBody())).rejects.toThrow();
    await store.put(`${run}local-only/ok.bin`, Buffer.from('ok'));
    expect(readdirSync(join(scratch, 'local', 'tmp'))).toEqual([]);
  });

  it('check() fails with one line when the folder cannot be used', async () => {
    const file = join(scratch, 'not-a-folder');
    writeFileSync(file, 'x');
    const broken = createObjectStorage(configFor('local', { STORAGE_LOCAL_DIR: file }));
    await expect(broken.check()).rejects.toThrow(`local storage: ${file} is not a writable folder`);
  });
});

describe('gcs backend', () => {
  const config = configFor('gcs');
  const store = createObjectStorage(config);
  const key = `${run}gcs-only/catalog/v1 ação.json`;
  const content = '{"catalog":1}';

  beforeAll(() => store.put(key, Buffer.from(content), { contentType: 'application/json' }));
  afterAll(async () => {
    for (const object of await store.list(run).catch(() => [])) await store.delete(object.key).catch(() => undefined);
    await store.close();
  });

  it('signs a v4 URL offline with the service-account key, and the emulator serves it', async () => {
    const { url, expiresAt } = await store.signedUrl(key, { ttlSeconds: 600 });
    const parsed = new URL(url);
    expect(`${parsed.protocol}//${parsed.host}`).toBe(GCS_ENDPOINT);
    expect(decodeURIComponent(parsed.pathname)).toBe(`/${config.STORAGE_GCS_BUCKET}/${key}`);
    expect(parsed.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
    expect(parsed.searchParams.get('X-Goog-Expires')).toBe('600');
    expect(parsed.searchParams.get('X-Goog-Credential')).toMatch(
      new RegExp(`^${serviceAccount.email}/\\d{8}/auto/storage/goog4_request$`),
    );
    // RSA-2048 signature, hex.
    expect(parsed.searchParams.get('X-Goog-Signature')).toMatch(/^[0-9a-f]{512}$/);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(590_000);

    // fake-gcs-server does not check signatures; it serves path-style URLs on its public host.
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(content);
  });

  it('check() names a missing bucket', async () => {
    const missing = createObjectStorage(configFor('gcs', { STORAGE_GCS_BUCKET: `missing-${randomUUID()}` }));
    await expect(missing.check()).rejects.toThrow(/bucket "missing-.*" does not exist/);
  });

  it('fails within the timeout while the emulator is down, then the same instance recovers with its data', async () => {
    stackDown('gcs');
    try {
      for (const call of [() => store.check(), () => store.head(key), () => store.put(`${run}gcs-only/while-down`, Buffer.from('x'))]) {
        const started = Date.now();
        await expect(call()).rejects.toThrow(/gcs storage/);
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
      }
    } finally {
      stackUp('gcs');
    }
    await store.check();
    expect((await store.getBuffer(key)).toString()).toBe(content);
    expect((await store.head(key))?.contentType).toBe('application/json');
  });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));
