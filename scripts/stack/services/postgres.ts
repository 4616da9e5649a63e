/**
 * PostgreSQL 15 from Debian, in fluxo's own data directory on 127.0.0.1:55432 (5432 may hold a system
 * cluster). initdb refuses root, so as root the cluster belongs to the `postgres` user.
 */
import { chownSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isPortOpen } from '../net';
import { commandExists, run } from '../process';
import { StackError, type StackContext, type StackService } from '../types';

const PORT = 55432;
const VERSION = '15';
const BIN = `/usr/lib/postgresql/${VERSION}/bin`;
/** Databases fluxo uses: `fluxo` for dev, `fluxo_test` for the test suite. */
export const DATABASES = ['fluxo', 'fluxo_test'];

const isRoot = () => process.getuid?.() === 0;
const dataDir = (ctx: StackContext) => join(ctx.dataDir('postgres'), 'pgdata');

/** Runs a PostgreSQL binary as the cluster owner. */
function pg(ctx: StackContext, binary: string, args: string[]): string {
  const quoted = [join(BIN, binary), ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  return isRoot()
    ? run('postgres', 'su', ['postgres', '-s', '/bin/sh', '-c', quoted])
    : run('postgres', join(BIN, binary), args);
}

export const service: StackService = {
  name: 'postgres',
  order: 0,
  ports: [PORT],
  address: `postgresql://postgres@127.0.0.1:${PORT}/fluxo`,
  readyTimeoutSeconds: 30,

  async install(ctx) {
    if (!existsSync(join(BIN, 'initdb'))) {
      if (!commandExists('apt-get')) throw new StackError('postgres', `${BIN}/initdb missing and no apt-get to install it`);
      ctx.log(`installing postgresql-${VERSION} from Debian`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      // The package list may be stale on a fresh machine; refresh only when the first install fails.
      try {
        run('postgres', 'apt-get', ['install', '-y', '-q', `postgresql-${VERSION}`], { env });
      } catch {
        run('postgres', 'apt-get', ['update', '-q'], { env });
        run('postgres', 'apt-get', ['install', '-y', '-q', `postgresql-${VERSION}`], { env });
      }
    }
    const dir = dataDir(ctx);
    if (existsSync(join(dir, 'PG_VERSION'))) return;
    mkdirSync(dir, { recursive: true });
    if (isRoot()) {
      const { uid, gid } = statSync('/var/lib/postgresql');
      chownSync(dirname(dir), uid, gid);
      chownSync(dir, uid, gid);
    }
    ctx.log('initialising the PostgreSQL cluster');
    pg(ctx, 'initdb', ['-D', dir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C.UTF-8']);
  },

  async start(ctx) {
    const dir = dataDir(ctx);
    const options = [
      `-p ${PORT}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=200',
      '-c shared_buffers=256MB',
      '-c max_wal_size=2GB',
      '-c timezone=UTC',
    ].join(' ');
    pg(ctx, 'pg_ctl', ['-D', dir, '-w', '-t', '30', '-l', join(dir, 'server.log'), '-o', options, 'start']);
  },

  async isReady() {
    if (!(await isPortOpen(PORT))) return false;
    try {
      run('postgres', join(BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(PORT), '-q']);
      return true;
    } catch {
      return false;
    }
  },

  async afterReady() {
    for (const database of DATABASES) {
      const exists = run('postgres', join(BIN, 'psql'), [
        '-h', '127.0.0.1', '-p', String(PORT), '-U', 'postgres', '-tAc',
        `SELECT 1 FROM pg_database WHERE datname = '${database}'`,
      ]).trim();
      if (exists !== '1') {
        run('postgres', join(BIN, 'createdb'), ['-h', '127.0.0.1', '-p', String(PORT), '-U', 'postgres', database]);
      }
    }
  },

  async isRunning(ctx) {
    if (!existsSync(join(dataDir(ctx), 'postmaster.pid'))) return false;
    try {
      pg(ctx, 'pg_ctl', ['-D', dataDir(ctx), 'status']);
      return true;
    } catch {
      return false;
    }
  },

  async stop(ctx) {
    pg(ctx, 'pg_ctl', ['-D', dataDir(ctx), '-m', 'fast', '-w', 'stop']);
  },

  async reset(ctx) {
    rmSync(ctx.dataDir('postgres'), { recursive: true, force: true });
  },
};
