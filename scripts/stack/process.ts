import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackError, type StackContext } from './types';

const pidFile = (ctx: StackContext, name: string) => join(ctx.runDir, `${name}.pid`);

export function readPid(ctx: StackContext, name: string): number | undefined {
  const file = pidFile(ctx, name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function isDaemonRunning(ctx: StackContext, name: string): Promise<boolean> {
  return isAlive(readPid(ctx, name));
}

/**
 * Starts a long-running server detached from this process (its own session, output to the service log),
 * so `npm run stack -- up` can exit while the server keeps running.
 */
export function spawnDaemon(
  ctx: StackContext,
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): number {
  const log = openSync(ctx.logFile(name), 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  if (!child.pid) throw new StackError(name, `could not spawn ${command}`);
  child.unref();
  writeFileSync(pidFile(ctx, name), String(child.pid));
  return child.pid;
}

/** SIGTERM, wait up to `graceSeconds`, then SIGKILL; removes the pid file. */
export async function stopDaemon(ctx: StackContext, name: string, graceSeconds = 20): Promise<void> {
  const pid = readPid(ctx, name);
  if (isAlive(pid)) {
    // Signal the whole process group: some servers are launched through a wrapper.
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid!, sig);
      } catch {
        try {
          process.kill(pid!, sig);
        } catch {
          /* already gone */
        }
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + graceSeconds * 1000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) signal('SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
  rmSync(pidFile(ctx, name), { force: true });
}

/** Runs a command to completion; on failure throws one line naming the service and the command's last words. */
export function run(service: string, command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw new StackError(service, `${command} failed to run: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.trim().split('\n');
    const tail = output.slice(-3).join(' | ').slice(0, 400);
    throw new StackError(service, `\`${command} ${args.join(' ')}\` exited ${result.status}: ${tail}`);
  }
  return String(result.stdout ?? '');
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
