/**
 * A class-data sharing archive (AppCDS) for the broker's JVM. Loading and verifying Kafka's ~40 MB of
 * jars is most of a start: with the archive a start took 6 s of CPU instead of 10 (C2 on), which on a
 * busy 2-core machine was the difference between ~25 s and ~11 s of `up`.
 *
 * JDK 17 can only write a dynamic archive when a JVM exits, so install trains once: it starts a
 * throw-away broker on free ports in a scratch folder, waits until it answers, stops it, and keeps the
 * archive it wrote. The archive is valid for one JDK build and one classpath, so its name carries the
 * JDK version; a JVM that cannot use an archive says so in the log and runs without it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sleep } from '../process';
import type { StackContext } from '../types';
import { brokerAnswers } from './client';

export interface ClassDataPlan {
  /** Where the archive lives (or will): <cache>/kafka-<v>/kafka-jdk-<jdk>.jsa */
  archive: string;
  classpath: string;
  jvmOptions: string[];
  /** Renders server.properties for `logDirs` with the two given ports instead of 9092/9093. */
  renderProperties: (logDirs: string, port: number, controllerPort: number) => string;
  /** Runs `kafka.tools.StorageTool format` for a properties file. */
  format: (propertiesFile: string) => void;
}

/** The archive's path for the installed JDK (an upgraded JDK gets a new one). */
export function archivePath(dir: string): string {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const version = /version "([^"]+)"/.exec(`${result.stderr}${result.stdout}`)?.[1] ?? 'unknown';
  return join(dir, `kafka-jdk-${version.replace(/[^\w.-]/g, '_')}.jsa`);
}

/** JVM options that use the archive when there is one. */
export function useArchive(archive: string): string[] {
  return existsSync(archive) ? [`-XX:SharedArchiveFile=${archive}`] : [];
}

/**
 * Trains the archive unless it exists or training already failed on this machine. Never throws: without
 * an archive the broker only starts slower.
 */
export async function ensureArchive(ctx: StackContext, plan: ClassDataPlan): Promise<void> {
  const failedMarker = `${plan.archive}.failed`;
  if (existsSync(plan.archive) || existsSync(failedMarker)) return;
  ctx.log('training a class-data archive for faster Kafka starts (first time only, about 20 s)');
  const scratch = `${plan.archive}.training`;
  const partial = `${plan.archive}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  rmSync(partial, { force: true });
  try {
    mkdirSync(join(scratch, 'logs'), { recursive: true });
    const [port, controllerPort] = [await freePort(), await freePort()];
    const properties = join(scratch, 'server.properties');
    writeFileSync(properties, plan.renderProperties(join(scratch, 'logs'), port, controllerPort));
    plan.format(properties);

    const log = openSync(join(scratch, 'broker.log'), 'a');
    const broker = spawn(
      'java',
      [
        ...plan.jvmOptions,
        `-XX:ArchiveClassesAtExit=${partial}`,
        // Dumping lists every class it cannot archive (generated accessors, unlinked classes): noise.
        '-Xlog:cds=off',
        '-Xlog:cds+dynamic=off',
        '-cp', plan.classpath,
        'kafka.Kafka', properties,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const exited = new Promise<number | null>((resolve) => broker.once('exit', (code) => resolve(code)));
    let alive = true;
    void exited.then(() => (alive = false));
    try {
      await waitUntilAnswers(port, () => alive);
    } finally {
      broker.kill('SIGTERM');
    }
    // Writing the archive at exit takes 10-20 s on a busy machine.
    const code = await Promise.race([exited, sleep(180_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') {
      broker.kill('SIGKILL');
      throw new Error('the training broker did not exit within 180 s');
    }
    if (!existsSync(partial)) throw new Error(`no archive written; see ${join(scratch, 'broker.log')}`);
    renameSync(partial, plan.archive);
    rmSync(scratch, { recursive: true, force: true });
  } catch (error) {
    // Remembered so every later `up` does not pay for a training that cannot succeed here.
    writeFileSync(failedMarker, `${(error as Error).message}\n`);
    ctx.log(`kafka: no class-data archive (${(error as Error).message}); the broker starts without it`);
    rmSync(partial, { force: true });
  }
}

async function waitUntilAnswers(port: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!(await brokerAnswers(`127.0.0.1:${port}`))) {
    if (!alive()) throw new Error('the training broker exited during start-up');
    if (Date.now() > deadline) throw new Error('the training broker did not answer within 180 s');
    await sleep(500);
  }
}

/** A loopback port nobody holds right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
