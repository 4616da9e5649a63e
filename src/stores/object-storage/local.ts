/**
 * Object storage in a local folder (the embedded default). Layout under the root:
 *
 *   objects/<key>        the bytes, exactly as put
 *   meta/<key>.json      sha256 and content type, tied to the object file by inode, size and mtime
 *   tmp/                 uploads in progress
 *
 * A put streams into tmp/, fsyncs, then renames into objects/ (rename is atomic on one filesystem), so a
 * reader sees the old object or the new one, never a part. The sidecar is renamed in after the object; a
 * sidecar that does not match the object's inode/size/mtime (a crash between the two renames, or a file
 * copied in by hand) is ignored, so head() never reports another object's hash.
 *
 * Keys are paths, so one backend limit differs from GCS: `a` and `a/b` cannot both be objects here.
 */
import { randomUUID } from 'node:crypto';
import { constants, createWriteStream, type Stats } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { withTimeout } from '../store';
import { ObjectNotFoundError, ObjectStorageError } from './errors';
import type { ListedObject, ObjectHead, ObjectStorage, ObjectStorageConfig, PutResult } from './types';
import { validateKey, validatePrefix } from './keys';
import { expiryFor, signLocalUrl } from './signed-url';
import { collect, toReadable, transfer } from './streams';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** Uploads interrupted by a crash leave temp files; the first put of a process removes those this old. */
const STALE_TEMP_MS = 24 * 3600 * 1000;

interface Sidecar {
  sha256: string;
  contentType: string;
  size: number;
  ino: number;
  mtimeMs: number;
}

/** <FLUXO_HOME>/data/storage, the same home the native stack uses (scripts/stack/context.ts). */
export function defaultLocalDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.FLUXO_HOME || (process.getuid?.() === 0 ? '/var/lib/fluxo' : join(homedir(), '.fluxo'));
  return join(home, 'data', 'storage');
}

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;
const isMissing = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes(errnoOf(error) ?? '');

export function createLocalStorage(config: ObjectStorageConfig): ObjectStorage {
  const root = resolve(config.STORAGE_LOCAL_DIR ?? defaultLocalDir());
  const objectsDir = join(root, 'objects');
  const metaDir = join(root, 'meta');
  const tmpDir = join(root, 'tmp');
  const timeoutMs = config.STORAGE_TIMEOUT_MS;
  const objectPath = (key: string) => join(objectsDir, validateKey(key));
  const metaPath = (key: string) => join(metaDir, `${key}.json`);
  let swept = false;

  /** Every filesystem call is bounded: a hung network mount must fail, not hang a workflow activity. */
  const bounded = <T>(promise: Promise<T>) => withTimeout(promise, timeoutMs, 'filesystem call');

  /** Wraps unexpected filesystem errors in one line naming the operation and the key. */
  const failure = (what: string, key: string, error: unknown) =>
    error instanceof ObjectStorageError || error instanceof ObjectNotFoundError
      ? error
      : new ObjectStorageError(`local storage ${what} ${JSON.stringify(key)}: ${(error as Error).message}`, { cause: error });

  async function sweepStaleTemp(): Promise<void> {
    if (swept) return;
    swept = true;
    const names = await readdir(tmpDir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(tmpDir, name);
      const stats = await stat(path).catch(() => undefined);
      if (stats && Date.now() - stats.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
    }
  }

  /** Moves the finished temp files into place; a key that collides with a folder gets one clear line. */
  async function place(key: string, tmpObject: string, tmpMeta: string): Promise<void> {
    try {
      await mkdir(dirname(objectPath(key)), { recursive: true });
      await mkdir(dirname(metaPath(key)), { recursive: true });
      await rename(tmpObject, objectPath(key));
    } catch (error) {
      if (['ENOTDIR', 'EEXIST', 'EISDIR', 'ENOTEMPTY'].includes(errnoOf(error) ?? '')) {
        throw new ObjectStorageError(
          `local storage put ${JSON.stringify(key)}: the key collides with another key's folder ` +
            '(the local backend cannot hold both "a" and "a/b")',
          { cause: error },
        );
      }
      throw error;
    }
    await rename(tmpMeta, metaPath(key));
  }

  async function readSidecar(key: string, stats: Stats): Promise<Sidecar | undefined> {
    try {
      const sidecar = JSON.parse(await readFile(metaPath(key), 'utf8')) as Sidecar;
      const matches = sidecar.ino === stats.ino && sidecar.size === stats.size && sidecar.mtimeMs === stats.mtimeMs;
      return matches ? sidecar : undefined;
    } catch {
      return undefined;
    }
  }

  /** Unlinks a regular file; missing paths (or a folder where the file would be) count as already gone. */
  async function removeFile(path: string): Promise<void> {
    try {
      await unlink(path);
    } catch (error) {
      if (!['ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM'].includes(errnoOf(error) ?? '')) throw error;
    }
  }

  async function walk(folder: string, prefix: string, found: ListedObject[]): Promise<void> {
    const entries = await readdir(join(objectsDir, folder), { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    for (const entry of entries) {
      const key = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        // Only descend where keys could still start with the prefix.
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(key, prefix, found);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const stats = await stat(join(objectsDir, key)).catch(() => undefined);
        if (stats) found.push({ key, size: stats.size });
      }
    }
  }

  const store: ObjectStorage = {
    name: 'object-storage',
    backend: 'local',

    async put(key, body, options = {}): Promise<PutResult> {
      validateKey(key);
      const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
      const tmpObject = join(tmpDir, randomUUID());
      const tmpMeta = `${tmpObject}.json`;
      try {
        await bounded(mkdir(tmpDir, { recursive: true }));
        await sweepStaleTemp();
        // flush: fsync before close, so the rename below never publishes bytes still in the page cache.
        const sink = createWriteStream(tmpObject, { flags: 'wx', flush: true });
        const measured = await transfer(toReadable(body), sink, timeoutMs, `local storage put ${JSON.stringify(key)}`);
        const stats = await stat(tmpObject);
        const sidecar: Sidecar = { ...measured, contentType, ino: stats.ino, mtimeMs: stats.mtimeMs };
        await bounded(writeFile(tmpMeta, JSON.stringify(sidecar), { flag: 'wx' }));
        await bounded(place(key, tmpObject, tmpMeta));
        return { key, ...measured };
      } catch (error) {
        throw failure('put', key, error);
      } finally {
        await rm(tmpObject, { force: true });
        await rm(tmpMeta, { force: true });
      }
    },

    async get(key): Promise<Readable> {
      const path = objectPath(key);
      try {
        const handle = await bounded(open(path, 'r'));
        // Opening a folder succeeds on Linux; a folder is a prefix here, not an object.
        if (!(await handle.stat()).isFile()) {
          await handle.close();
          throw new ObjectNotFoundError('local storage', key);
        }
        return handle.createReadStream();
      } catch (error) {
        if (isMissing(error)) throw new ObjectNotFoundError('local storage', key);
        throw failure('get', key, error);
      }
    },

    async getBuffer(key) {
      return collect(await store.get(key), timeoutMs, `local storage get ${JSON.stringify(key)}`);
    },

    async head(key): Promise<ObjectHead | undefined> {
      const path = objectPath(key);
      try {
        const stats = await bounded(stat(path));
        if (!stats.isFile()) return undefined;
        const sidecar = await bounded(readSidecar(key, stats));
        return sidecar
          ? { size: stats.size, sha256: sidecar.sha256, contentType: sidecar.contentType }
          : { size: stats.size, contentType: DEFAULT_CONTENT_TYPE };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw failure('head', key, error);
      }
    },

    async delete(key) {
      const path = objectPath(key);
      try {
        await bounded(removeFile(path));
        await bounded(removeFile(metaPath(key)));
      } catch (error) {
        throw failure('delete', key, error);
      }
    },

    async list(prefix = '') {
      validatePrefix(prefix);
      const folder = prefix.slice(0, Math.max(prefix.lastIndexOf('/'), 0));
      const found: ListedObject[] = [];
      try {
        await bounded(walk(folder, prefix, found));
      } catch (error) {
        throw failure('list', prefix, error);
      }
      // Byte order of the UTF-8 keys, as GCS lists them.
      return found.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    },

    uri: (key) => pathToFileURL(objectPath(key)).href,

    async signedUrl(key, options = {}) {
      validateKey(key);
      const expires = expiryFor(options.ttlSeconds ?? config.STORAGE_SIGNED_URL_TTL_SECONDS);
      return { url: signLocalUrl(key, expires, config.STORAGE_SIGNING_SECRET), expiresAt: new Date(expires * 1000) };
    },

    async check() {
      try {
        const usable = async () => {
          for (const dir of [objectsDir, metaDir, tmpDir]) await mkdir(dir, { recursive: true });
          await access(root, constants.W_OK);
        };
        await bounded(usable());
      } catch (error) {
        throw new ObjectStorageError(`local storage: ${root} is not a writable folder: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },

    async close() {
      // Nothing held open: every call opens and closes its own files.
    },
  };
  return store;
}
