/**
 * fake-gcs-server: the Google Cloud Storage JSON API on 127.0.0.1:4443, objects kept on disk
 * (`-backend filesystem`) so a restart keeps them. Built from the Go module proxy (no binary downloads here)
 * into a directory named after the tag, so a second `up` skips the build and a tag bump builds afresh.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import { isPortOpen } from '../net';
import { commandExists, isDaemonRunning, run, spawnDaemon, stopDaemon } from '../process';
import { StackError, type StackContext, type StackService } from '../types';

/** v1.56.x needs Go ≥ 1.26 (its go.mod says `go 1.26`); GOTOOLCHAIN=local refuses to fetch another toolchain. */
const VERSION = 'v1.56.1';
const MODULE = 'github.com/fsouza/fake-gcs-server';
const PORT = 4443;
const ORIGIN = `http://127.0.0.1:${PORT}`;
/** The emulator accepts any project; this one only labels the buckets we create. */
const PROJECT = 'fluxo-local';

const binDir = (ctx: StackContext) => join(ctx.cacheDir, 'bin', `fake-gcs-${VERSION}`);
export const fakeGcsBinary = (ctx: StackContext) => join(binDir(ctx), 'fake-gcs-server');

/** A JSON API call with a deadline; undefined when the server does not answer. */
async function api(path: string, init: RequestInit = {}): Promise<Response | undefined> {
  try {
    return await fetch(`${ORIGIN}/storage/v1${path}`, { ...init, signal: AbortSignal.timeout(2000) });
  } catch {
    return undefined;
  }
}

export const service: StackService = {
  name: 'gcs',
  order: 50,
  ports: [PORT],
  address: `${ORIGIN} (GCS JSON API, fake-gcs-server)`,
  readyTimeoutSeconds: 30,

  async install(ctx) {
    if (existsSync(fakeGcsBinary(ctx))) return;
    if (!commandExists('go')) {
      throw new StackError('gcs', `Go is not installed; fake-gcs-server ${VERSION} is built with \`go install\` (Go ≥ 1.26)`);
    }
    ctx.log(`building fake-gcs-server ${VERSION} from the Go module proxy (several minutes on a cold cache)`);
    mkdirSync(binDir(ctx), { recursive: true });
    run('gcs', 'go', ['install', `${MODULE}@${VERSION}`], {
      // A static binary does not depend on the machine's libc; GOTOOLCHAIN=local never downloads a toolchain.
      env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOBIN: binDir(ctx) },
    });
    if (!existsSync(fakeGcsBinary(ctx))) {
      throw new StackError('gcs', `go install finished but ${fakeGcsBinary(ctx)} is missing`);
    }
  },

  async start(ctx) {
    const dir = ctx.dataDir('gcs');
    mkdirSync(dir, { recursive: true });
    spawnDaemon(ctx, 'gcs', fakeGcsBinary(ctx), [
      '-scheme', 'http',
      '-host', '127.0.0.1',
      '-port', String(PORT),
      '-backend', 'filesystem',
      '-filesystem-root', dir,
      // Path-style URLs on this host (signed URLs, downloads) are served as object reads.
      '-public-host', `127.0.0.1:${PORT}`,
      '-log-level', 'warn',
    ]);
  },

  /** Ready when the JSON API lists buckets, not merely when the port accepts connections. */
  async isReady() {
    if (!(await isPortOpen(PORT))) return false;
    const response = await api(`/b?project=${PROJECT}`);
    if (!response?.ok) return false;
    const body = (await response.json().catch(() => undefined)) as { kind?: string } | undefined;
    return body?.kind === 'storage#buckets';
  },

  /** Creates the configured bucket once; 409 means a concurrent `up` created it first. */
  async afterReady() {
    const bucket = loadConfig().STORAGE_GCS_BUCKET;
    const existing = await api(`/b/${encodeURIComponent(bucket)}`);
    if (existing?.ok) return;
    if (existing && existing.status !== 404) {
      throw new StackError('gcs', `checking bucket ${bucket} answered HTTP ${existing.status}`);
    }
    const created = await api(`/b?project=${PROJECT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: bucket }),
    });
    if (!created) throw new StackError('gcs', `creating bucket ${bucket}: no answer from ${ORIGIN}`);
    if (!created.ok && created.status !== 409) {
      throw new StackError('gcs', `creating bucket ${bucket} answered HTTP ${created.status}: ${(await created.text()).slice(0, 200)}`);
    }
  },

  isRunning: (ctx) => isDaemonRunning(ctx, 'gcs'),
  stop: (ctx) => stopDaemon(ctx, 'gcs'),
};
