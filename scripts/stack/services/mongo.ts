/**
 * MongoDB wire protocol from FerretDB 1.24 with its SQLite backend (one file per database in the data dir),
 * so it needs no other service. No MongoDB server is reachable from this network, but FerretDB is a Go
 * module: scripts/stack/ferretdb is a tiny main embedding its `ferretdb` package (the upstream command
 * panics without build/version/version.txt, which the module zip lacks: FerretDB issue 2982). Go builds it
 * once into <cache>/bin/ferretdb-<version>; it is rebuilt only when that module's files change. The launcher
 * also gives every collection the `_id` index FerretDB's own SQLite queries can use, which upstream lacks
 * (scripts/stack/ferretdb/idindex.go): without it every lookup by `_id` scans the collection.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMongoStore } from '../../../src/stores/mongo';
import { isPortOpen } from '../net';
import { commandExists, isDaemonRunning, run, spawnDaemon, stopDaemon } from '../process';
import { StackError, type StackContext, type StackService } from '../types';

const PORT = 27017;
const MODULE = join(__dirname, '..', 'ferretdb');
/** FerretDB 1.24's go.mod says `go 1.24`; with GOTOOLCHAIN=local an older Go would try to download one. */
const MIN_GO = [1, 24] as const;
/** Soft heap limit for the Go runtime: idle it uses ~25 MB, this only bounds bursts (large sorts in memory). */
const GO_MEMORY_LIMIT = '512MiB';

/** The version lives once, in the go.mod, and names the binary so an upgrade builds afresh. */
function ferretdbVersion(): string {
  const match = /github\.com\/FerretDB\/FerretDB v(\S+)/.exec(readFileSync(join(MODULE, 'go.mod'), 'utf8'));
  if (!match?.[1]) throw new StackError('mongo', `no github.com/FerretDB/FerretDB requirement in ${MODULE}/go.mod`);
  return match[1];
}

const binary = (ctx: StackContext) => join(ctx.cacheDir, 'bin', `ferretdb-${ferretdbVersion()}`);
const hashFile = (ctx: StackContext) => `${binary(ctx)}.sha256`;

/** go.mod, go.sum and every Go source: a change to any of them rebuilds the binary. */
const moduleFiles = () => readdirSync(MODULE).filter((file) => file === 'go.mod' || file === 'go.sum' || file.endsWith('.go')).sort();

function moduleHash(): string {
  const hash = createHash('sha256');
  for (const file of moduleFiles()) hash.update(file).update('\0').update(readFileSync(join(MODULE, file))).update('\0');
  return hash.digest('hex');
}

function checkGo(): void {
  if (!commandExists('go')) {
    throw new StackError('mongo', `Go ${MIN_GO.join('.')}+ is needed to build FerretDB; install it and put \`go\` on PATH`);
  }
  const version = run('mongo', 'go', ['env', 'GOVERSION'], { env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
  const [major = 0, minor = 0] = (/^go(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
  if (major < MIN_GO[0] || (major === MIN_GO[0] && minor < MIN_GO[1])) {
    throw new StackError('mongo', `FerretDB needs Go ${MIN_GO.join('.')}+; \`go\` on PATH is ${version || 'unknown'}`);
  }
}

export const service: StackService = {
  name: 'mongo',
  order: 20,
  ports: [PORT],
  address: `mongodb://127.0.0.1:${PORT} (FerretDB, SQLite)`,
  readyTimeoutSeconds: 30,

  async install(ctx) {
    const hash = moduleHash();
    if (existsSync(binary(ctx)) && existsSync(hashFile(ctx)) && readFileSync(hashFile(ctx), 'utf8').trim() === hash) {
      return;
    }
    checkGo();
    ctx.log(`building FerretDB ${ferretdbVersion()} with Go (first time: ~600 MB of Go modules, several minutes on 2 cores)`);
    mkdirSync(join(ctx.cacheDir, 'bin'), { recursive: true });
    // Build next to the target and rename, so an interrupted build never leaves a half-written binary.
    const partial = `${binary(ctx)}.partial`;
    run('mongo', 'go', ['build', '-trimpath', '-ldflags=-s -w', '-o', partial, '.'], {
      cwd: MODULE,
      env: {
        ...process.env,
        // modernc.org/sqlite is pure Go, so no C toolchain; the module cache and build cache stay at Go's defaults.
        CGO_ENABLED: '0',
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-mod=mod -buildvcs=false',
      },
    });
    renameSync(partial, binary(ctx));
    writeFileSync(hashFile(ctx), hash);
  },

  async start(ctx) {
    const dir = ctx.dataDir('mongo');
    mkdirSync(dir, { recursive: true });
    spawnDaemon(
      ctx,
      'mongo',
      binary(ctx),
      [
        '--handler=sqlite',
        // A directory URI: FerretDB keeps one SQLite file per MongoDB database in it.
        `--sqlite-url=file:${dir}/`,
        `--listen-addr=127.0.0.1:${PORT}`,
        '--telemetry=disable',
        // At warn FerretDB also logs every error reply it sends (a bad query shows up in the log).
        '--log-level=warn',
      ],
      { env: { GOMEMLIMIT: GO_MEMORY_LIMIT } },
    );
  },

  // The port opens before the backend answers; only a `ping` through the real driver counts.
  async isReady() {
    if (!(await isPortOpen(PORT))) return false;
    const store = createMongoStore({
      MONGODB_URL: `mongodb://127.0.0.1:${PORT}`,
      MONGODB_DATABASE: 'admin',
      MONGODB_TIMEOUT_MS: 2000,
      MONGODB_SOCKET_TIMEOUT_MS: 2000,
      MONGODB_POOL_MAX: 1,
      MONGODB_RETRY_WRITES: false,
    });
    try {
      await store.check();
      return true;
    } catch {
      return false;
    } finally {
      await store.close().catch(() => undefined);
    }
  },

  isRunning: (ctx) => isDaemonRunning(ctx, 'mongo'),
  // SIGTERM closes connections and then the SQLite files; a few seconds at most.
  stop: (ctx) => stopDaemon(ctx, 'mongo', 20),

  async reset(ctx) {
    rmSync(ctx.dataDir('mongo'), { recursive: true, force: true });
  },
};
