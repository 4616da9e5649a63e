import { rmSync } from 'node:fs';
import { isPortFree } from './net';
import { sleep } from './process';
import { StackError, type StackContext, type StackService } from './types';

export type ServiceState = 'up' | 'starting' | 'down' | 'foreign';

export async function stateOf(ctx: StackContext, service: StackService): Promise<ServiceState> {
  const running = await service.isRunning(ctx);
  if (running) return (await service.isReady(ctx)) ? 'up' : 'starting';
  for (const port of service.ports) if (!(await isPortFree(port))) return 'foreign';
  return 'down';
}

/** install → check ports → start → wait until it answers → afterReady. Idempotent. */
export async function bringUp(ctx: StackContext, service: StackService): Promise<'started' | 'already up'> {
  const started = Date.now();
  await service.install(ctx);
  let state = await stateOf(ctx, service);
  if (state === 'foreign') {
    const taken: number[] = [];
    for (const port of service.ports) if (!(await isPortFree(port))) taken.push(port);
    throw new StackError(
      service.name,
      `port ${taken.join(', ')} is already taken by a process that is not fluxo's ${service.name}; stop it or free the port`,
    );
  }
  if (state === 'up') {
    await service.afterReady?.(ctx);
    return 'already up';
  }
  if (state === 'down') {
    ctx.log(`starting ${service.name}`);
    await service.start(ctx);
  }
  const deadline = Date.now() + service.readyTimeoutSeconds * 1000;
  while (!(await service.isReady(ctx))) {
    if (!(await service.isRunning(ctx))) {
      throw new StackError(service.name, `exited during start-up; see ${ctx.logFile(service.name)}`);
    }
    if (Date.now() > deadline) {
      throw new StackError(
        service.name,
        `did not answer within ${service.readyTimeoutSeconds}s; see ${ctx.logFile(service.name)}`,
      );
    }
    await sleep(200);
  }
  await service.afterReady?.(ctx);
  ctx.log(`${service.name} up at ${service.address} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  state = 'up';
  return 'started';
}

export async function bringDown(ctx: StackContext, service: StackService): Promise<void> {
  if (await service.isRunning(ctx)) {
    ctx.log(`stopping ${service.name}`);
    await service.stop(ctx);
  }
}

export async function wipe(ctx: StackContext, service: StackService): Promise<void> {
  await bringDown(ctx, service);
  if (service.reset) await service.reset(ctx);
  else rmSync(ctx.dataDir(service.name), { recursive: true, force: true });
  ctx.log(`${service.name} data wiped`);
}
