/** What every object storage backend is and returns (./local.ts, ./gcs.ts); the choice of one is ./index.ts. */
import type { Readable } from 'node:stream';
import type { Config } from '../../config';
import type { StoreHealth } from '../store';

/** The settings object storage reads; a subset so tests and scripts can build one without the whole config. */
export type ObjectStorageConfig = Pick<
  Config,
  | 'STORAGE_BACKEND'
  | 'STORAGE_LOCAL_DIR'
  | 'STORAGE_GCS_BUCKET'
  | 'STORAGE_GCS_ENDPOINT'
  | 'STORAGE_GCS_PROJECT_ID'
  | 'STORAGE_GCS_KEY_FILE'
  | 'STORAGE_SIGNING_SECRET'
  | 'STORAGE_SIGNED_URL_TTL_SECONDS'
  | 'STORAGE_TIMEOUT_MS'
>;

export interface PutOptions {
  /** Defaults to application/octet-stream. */
  contentType?: string;
}

export interface PutResult {
  key: string;
  size: number;
  /** Lower-case hex SHA-256 of the stored bytes, computed while they streamed. */
  sha256: string;
}

export interface ObjectHead {
  size: number;
  /** Absent for objects written by something other than fluxo. */
  sha256?: string;
  contentType: string;
}

export interface ListedObject {
  key: string;
  size: number;
}

export interface SignedUrl {
  /** local: a path relative to the API (`/v1/storage/...`); gcs: an absolute https (or emulator) URL. */
  url: string;
  expiresAt: Date;
}

export interface ObjectStorage extends StoreHealth {
  readonly backend: 'local' | 'gcs';
  /**
   * Stores `body` under `key`, replacing any object there. Readers see the old object or the new one,
   * never a part: a failed or interrupted put leaves no (new) object behind.
   */
  put(key: string, body: Buffer | Readable, options?: PutOptions): Promise<PutResult>;
  /** The object's bytes as a stream; rejects with ObjectNotFoundError when there is none. */
  get(key: string): Promise<Readable>;
  getBuffer(key: string): Promise<Buffer>;
  /** Size, hash and type, or undefined when there is no such object. */
  head(key: string): Promise<ObjectHead | undefined>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Objects whose key starts with `prefix` (a plain string prefix, like GCS), sorted by key. */
  list(prefix?: string): Promise<ListedObject[]>;
  /** Where the object lives, for logs and workflow payloads: `file:///...` or `gs://bucket/key`. */
  uri(key: string): string;
  /** Read access without credentials until now + ttlSeconds (default STORAGE_SIGNED_URL_TTL_SECONDS). */
  signedUrl(key: string, options?: { ttlSeconds?: number }): Promise<SignedUrl>;
}
