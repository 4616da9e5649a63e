/**
 * Object storage on Google Cloud Storage (fake-gcs-server in the native stack and compose). The only module
 * that imports @google-cloud/storage.
 *
 * - STORAGE_GCS_ENDPOINT points the client at the emulator; with a custom endpoint the library sends no
 *   credentials, so the emulator needs none. Unset, it talks to Google with STORAGE_GCS_KEY_FILE or the
 *   machine's default credentials.
 * - Uploads are single-request multipart uploads, so an interrupted put never leaves an object behind.
 *   A Buffer's SHA-256 goes up with the object as custom metadata `sha256`; a stream's is only known at the
 *   end, so it is added by a metadata patch pinned to the generation just written.
 * - v4 signed URLs are signed offline with the service-account key (no call to Google).
 * - Every call is bounded by STORAGE_TIMEOUT_MS (each HTTP request, the library's retries, and our outer
 *   guard), and transfers by the same stall limit (see streams.ts).
 */
import { Storage, type File, type FileMetadata, type GetFilesOptions } from '@google-cloud/storage';
import type { Readable } from 'node:stream';
import { withTimeout } from '../store';
import { ObjectNotFoundError, ObjectStorageError } from './errors';
import type { ListedObject, ObjectHead, ObjectStorage, ObjectStorageConfig } from './types';
import { validateKey, validatePrefix } from './keys';
import { expiryFor } from './signed-url';
import { collect, sha256Hex, toReadable, transfer } from './streams';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const LIST_PAGE_SIZE = 1000;

const statusOf = (error: unknown) => (error as { code?: unknown } | undefined)?.code;

export function createGcsStorage(config: ObjectStorageConfig): ObjectStorage {
  const timeoutMs = config.STORAGE_TIMEOUT_MS;
  const bucketName = config.STORAGE_GCS_BUCKET;
  const where = config.STORAGE_GCS_ENDPOINT ?? 'Google Cloud Storage';
  let storage: Storage | undefined;

  const bucket = () => {
    storage ??= new Storage({
      projectId: config.STORAGE_GCS_PROJECT_ID,
      ...(config.STORAGE_GCS_ENDPOINT ? { apiEndpoint: config.STORAGE_GCS_ENDPOINT } : {}),
      ...(config.STORAGE_GCS_KEY_FILE ? { keyFilename: config.STORAGE_GCS_KEY_FILE } : {}),
      // Per HTTP request (up to the response headers; bodies are guarded by the stall limit).
      timeout: timeoutMs,
      // Few, quick retries: the outer guard gives up at timeoutMs anyway, and Temporal retries activities.
      retryOptions: { autoRetry: true, maxRetries: 2, maxRetryDelay: 1, totalTimeout: Math.ceil(timeoutMs / 1000) },
    });
    return storage.bucket(bucketName);
  };
  const file = (key: string, generation?: string | number) =>
    bucket().file(validateKey(key), generation === undefined ? {} : { generation: Number(generation) });

  /** The label is only the tail of the message: failure() adds the operation, key and endpoint. */
  const bounded = <T>(promise: Promise<T>) => withTimeout(promise, timeoutMs, 'request');
  /** One line naming the operation, the key and the reason (`connect ECONNREFUSED ...`, `timed out ...`). */
  const failure = (what: string, key: string, error: unknown) =>
    error instanceof ObjectStorageError || error instanceof ObjectNotFoundError
      ? error
      : new ObjectStorageError(`gcs storage ${what} ${JSON.stringify(key)} at ${where}: ${(error as Error).message}`, {
          cause: error,
        });

  async function metadataOf(key: string, operation: 'head' | 'get'): Promise<FileMetadata | undefined> {
    try {
      const [metadata] = await bounded(file(key).getMetadata());
      return metadata;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw failure(operation, key, error);
    }
  }

  const store: ObjectStorage = {
    name: 'object-storage',
    backend: 'gcs',

    async put(key, body, options = {}) {
      const target = file(key);
      const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
      const knownHash = Buffer.isBuffer(body) ? sha256Hex(body) : undefined;
      try {
        const sink = target.createWriteStream({
          resumable: false,
          contentType,
          metadata: { contentType, ...(knownHash ? { metadata: { sha256: knownHash } } : {}) },
        });
        const measured = await transfer(toReadable(body), sink, timeoutMs, `gcs storage put ${JSON.stringify(key)}`);
        if (!knownHash) {
          // Pinned to the generation we wrote, so a concurrent overwrite never gets our hash.
          const pin = { ifGenerationMatch: target.metadata.generation };
          await bounded(target.setMetadata({ metadata: { sha256: measured.sha256 } }, pin)).catch((error: unknown) => {
            if (statusOf(error) !== 412) throw error;
          });
        }
        return { key, ...measured };
      } catch (error) {
        throw failure('put', key, error);
      }
    },

    async get(key): Promise<Readable> {
      const metadata = await metadataOf(key, 'get');
      if (!metadata) throw new ObjectNotFoundError('gcs storage', key);
      // Read the generation we just looked at: a concurrent overwrite cannot splice two versions.
      return file(key, metadata.generation).createReadStream();
    },

    async getBuffer(key) {
      return collect(await store.get(key), timeoutMs, `gcs storage get ${JSON.stringify(key)}`).catch((error: unknown) => {
        throw statusOf(error) === 404 ? new ObjectNotFoundError('gcs storage', key) : failure('get', key, error);
      });
    },

    async head(key): Promise<ObjectHead | undefined> {
      const metadata = await metadataOf(key, 'head');
      if (!metadata) return undefined;
      const sha256 = metadata.metadata?.sha256;
      return {
        size: Number(metadata.size ?? 0),
        ...(typeof sha256 === 'string' ? { sha256 } : {}),
        contentType: metadata.contentType ?? DEFAULT_CONTENT_TYPE,
      };
    },

    async delete(key) {
      try {
        await bounded(file(key).delete({ ignoreNotFound: true }));
      } catch (error) {
        throw failure('delete', key, error);
      }
    },

    async list(prefix = '') {
      validatePrefix(prefix);
      const found: ListedObject[] = [];
      let query: GetFilesOptions | undefined = { prefix, autoPaginate: false, maxResults: LIST_PAGE_SIZE };
      try {
        // Page by page, each page bounded, so a large bucket is not held to one deadline.
        while (query) {
          const [files, next]: [File[], GetFilesOptions | null | undefined, unknown] = await bounded(bucket().getFiles(query));
          for (const item of files) found.push({ key: item.name, size: Number(item.metadata.size ?? 0) });
          query = next?.pageToken ? next : undefined;
        }
      } catch (error) {
        throw failure('list', prefix, error);
      }
      return found;
    },

    uri: (key) => `gs://${bucketName}/${validateKey(key)}`,

    async signedUrl(key, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const expires = expiryFor(options.ttlSeconds ?? config.STORAGE_SIGNED_URL_TTL_SECONDS, now);
      try {
        const [url] = await bounded(
          file(key).getSignedUrl({ version: 'v4', action: 'read', accessibleAt: now * 1000, expires: expires * 1000 }),
        );
        return { url, expiresAt: new Date(expires * 1000) };
      } catch (error) {
        const hint = config.STORAGE_GCS_KEY_FILE ? '' : ' (set STORAGE_GCS_KEY_FILE to a service-account JSON key)';
        throw new ObjectStorageError(`gcs storage cannot sign a URL for ${JSON.stringify(key)}: ${(error as Error).message}${hint}`, {
          cause: error,
        });
      }
    },

    async check() {
      let exists: boolean;
      try {
        [exists] = await bounded(bucket().exists());
      } catch (error) {
        throw new ObjectStorageError(`gcs storage at ${where}: ${(error as Error).message}`, { cause: error });
      }
      if (!exists) throw new ObjectStorageError(`gcs storage at ${where}: bucket ${JSON.stringify(bucketName)} does not exist`);
    },

    async close() {
      // The library keeps no connection state worth closing beyond keep-alive sockets; drop the client.
      storage = undefined;
    },
  };
  return store;
}
