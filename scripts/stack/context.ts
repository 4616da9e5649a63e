import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StackContext } from './types';

/**
 * FLUXO_HOME holds downloads, service data, pid files and logs, outside any clone so a fresh clone reuses
 * the cache. As root it defaults to /var/lib/fluxo because PostgreSQL runs as the `postgres` user, which
 * cannot enter /root.
 */
export function fluxoHome(): string {
  if (process.env.FLUXO_HOME) return process.env.FLUXO_HOME;
  return process.getuid?.() === 0 ? '/var/lib/fluxo' : join(homedir(), '.fluxo');
}

export function createContext(): StackContext {
  const home = fluxoHome();
  const cacheDir = join(home, 'cache');
  const runDir = join(home, 'run');
  for (const dir of [cacheDir, runDir, join(home, 'data')]) mkdirSync(dir, { recursive: true });
  return {
    cacheDir,
    runDir,
    dataDir: (service) => join(home, 'data', service),
    logFile: (service) => join(runDir, `${service}.log`),
    log: (message) => process.stderr.write(`stack: ${message}\n`),
  };
}
