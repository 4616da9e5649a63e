/**
 * Object storage: one interface, two backends chosen by STORAGE_BACKEND — `local` (a folder, the embedded
 * default) and `gcs` (Google Cloud Storage; fake-gcs-server in the native stack). Bulk data (Parquet
 * exports, catalog files) lives here; workflows pass around keys and URIs, never the bytes.
 */
import { createLocalStorage } from './local';
import type { ObjectStorage, ObjectStorageConfig } from './types';

export { InvalidObjectKeyError, ObjectNotFoundError, ObjectStorageError } from './errors';
export { validateKey, validatePrefix } from './keys';
export type { ListedObject, ObjectHead, ObjectStorage, ObjectStorageConfig, PutOptions, PutResult, SignedUrl } from './types';
export { LOCAL_SIGNED_URL_PREFIX, signLocalUrl, verifySignedUrl, type SignedUrlVerdict } from './signed-url';

export function createObjectStorage(config: ObjectStorageConfig): ObjectStorage {
  if (config.STORAGE_BACKEND === 'gcs') {
    // Loaded only when chosen: @google-cloud/storage is heavy, and a local-only process never needs it.
    const { createGcsStorage } = require('./gcs') as typeof import('./gcs');
    return createGcsStorage(config);
  }
  return createLocalStorage(config);
}
