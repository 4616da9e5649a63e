/**
 * Kafka 4.1.1 as one KRaft node (broker and controller in one JVM) on 127.0.0.1:9092, controller 9093.
 * Kafka comes from Maven Central (the only place these machines can get it): scripts/stack/kafka/pom.xml
 * lists the jars and `mvn dependency:copy-dependencies` puts them in <cache>/kafka-4.1.1/libs.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import { topicSpecs } from '../../../src/domain/topics';
import { archivePath, ensureArchive, useArchive } from '../kafka/class-data';
import { brokerAnswers, stackKafkaStore } from '../kafka/client';
import { isPortOpen } from '../net';
import { commandExists, isDaemonRunning, run, spawnDaemon, stopDaemon } from '../process';
import { StackError, type StackContext, type StackService } from '../types';

const VERSION = '4.1.1';
const PORT = 9092;
const CONTROLLER_PORT = 9093;
const BROKER = `127.0.0.1:${PORT}`;
const FILES = join(__dirname, '..', 'kafka');
const LOG4J = `-Dlog4j2.configurationFile=${join(FILES, 'log4j2.xml')}`;

/**
 * Heap capped at 512 MB (the box also runs Neo4j, Temporal and PostgreSQL); a small initial heap and
 * G1 with short pauses keep an idle broker's RSS under 300 MB. ExitOnOutOfMemoryError: a dead broker is
 * clearer than a wedged one. The class-data archive (../kafka/class-data.ts) was trained with these
 * options; changing them only costs it some of its effect.
 */
const JVM_OPTIONS = [
  '-Xms64m',
  '-Xmx512m',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  // An idle broker gives heap back to the OS after a burst (G1 otherwise keeps what it once grew to).
  '-XX:G1PeriodicGCInterval=60000',
  '-XX:ReservedCodeCacheSize=64m',
  // C1 only: a dev/test broker never needs C2's peak speed, and skipping C2 halves the CPU of a start
  // (measured 3 s instead of 5-6 s) and saves ~35 MB of RSS.
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
  LOG4J,
];

const home = (ctx: StackContext) => join(ctx.cacheDir, `kafka-${VERSION}`);
const libsDir = (ctx: StackContext) => join(home(ctx), 'libs');
/** Written last by install: a libs folder without it is a download that was interrupted. */
const libsMarker = (ctx: StackContext) => join(libsDir(ctx), '.complete');
const classpath = (ctx: StackContext) => `${libsDir(ctx)}/*`;
const propertiesFile = (ctx: StackContext) => join(ctx.dataDir('kafka'), 'server.properties');
const logDirs = (ctx: StackContext) => join(ctx.dataDir('kafka'), 'logs');
let archive: string | undefined;
/** The class-data archive for the installed JDK (asking `java -version` once per run). */
const archiveFile = (ctx: StackContext) => (archive ??= archivePath(home(ctx)));

export const service: StackService = {
  name: 'kafka',
  order: 30,
  ports: [PORT, CONTROLLER_PORT],
  address: `kafka://${BROKER} (KRaft controller 127.0.0.1:${CONTROLLER_PORT})`,
  // A JVM loading Kafka's 40 MB of jars takes 10-30 s on a busy 2-core machine.
  readyTimeoutSeconds: 120,

  async install(ctx) {
    ensureJavaAndMaven(ctx);
    if (!existsSync(libsMarker(ctx))) downloadLibs(ctx);
    await ensureArchive(ctx, {
      archive: archiveFile(ctx),
      classpath: classpath(ctx),
      jvmOptions: JVM_OPTIONS,
      renderProperties: (dirs, port, controllerPort) =>
        template()
          .replaceAll('{{LOG_DIRS}}', dirs)
          .replaceAll(`127.0.0.1:${PORT}`, `127.0.0.1:${port}`)
          .replaceAll(`127.0.0.1:${CONTROLLER_PORT}`, `127.0.0.1:${controllerPort}`),
      format: (file) => format(ctx, file),
    });
    renderProperties(ctx);
    if (!existsSync(join(logDirs(ctx), 'meta.properties'))) {
      ctx.log('formatting Kafka storage (KRaft)');
      format(ctx, propertiesFile(ctx));
    }
  },

  async start(ctx) {
    renderProperties(ctx);
    spawnDaemon(ctx, 'kafka', 'java', [
      ...JVM_OPTIONS,
      ...useArchive(archiveFile(ctx)),
      '-cp', classpath(ctx),
      'kafka.Kafka', propertiesFile(ctx),
    ]);
  },

  async isReady() {
    // The port opens before the broker serves requests; a metadata request is the real answer.
    return (await isPortOpen(PORT)) && (await brokerAnswers(BROKER));
  },

  async afterReady(ctx) {
    const store = stackKafkaStore(BROKER, 15_000);
    try {
      const { created } = await store.ensureTopics(topicSpecs(loadConfig()));
      if (created.length > 0) ctx.log(`kafka topics created: ${created.join(', ')}`);
    } catch (error) {
      throw new StackError('kafka', `creating fluxo's topics failed: ${(error as Error).message}`);
    } finally {
      await store.close();
    }
  },

  isRunning: (ctx) => isDaemonRunning(ctx, 'kafka'),
  // SIGTERM runs Kafka's controlled shutdown (flushes logs, writes a clean-shutdown marker).
  stop: (ctx) => stopDaemon(ctx, 'kafka', 30),
};

function ensureJavaAndMaven(ctx: StackContext): void {
  if (commandExists('java') && commandExists('mvn')) {
    const major = javaMajor();
    if (major >= 17) return;
    throw new StackError('kafka', `Kafka ${VERSION} needs Java 17 or newer; \`java\` on PATH is version ${major}`);
  }
  if (!commandExists('apt-get')) throw new StackError('kafka', 'java and mvn are missing and there is no apt-get to install them');
  ctx.log('installing Java 17 and Maven from Debian');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const packages = ['openjdk-17-jdk-headless', 'maven'];
  // The package list may be stale on a fresh machine; refresh only when the first install fails.
  try {
    run('kafka', 'apt-get', ['install', '-y', '-q', ...packages], { env });
  } catch {
    run('kafka', 'apt-get', ['update', '-q'], { env });
    run('kafka', 'apt-get', ['install', '-y', '-q', ...packages], { env });
  }
}

/** 17 for `openjdk version "17.0.15"`; 1 for Java 8's `"1.8.0"`, which is too old anyway. */
function javaMajor(): number {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return Number(/version "(\d+)/.exec(`${result.stderr}${result.stdout}`)?.[1] ?? 0);
}

/** Copies Kafka and its dependencies into a temporary folder, then renames it: never half a libs folder. */
function downloadLibs(ctx: StackContext): void {
  ctx.log(`installing Kafka ${VERSION} from Maven Central (first time only, about a minute)`);
  const partial = `${libsDir(ctx)}.partial`;
  rmSync(partial, { recursive: true, force: true });
  run('kafka', 'mvn', [
    '-q', '-B',
    '-Dstyle.color=never',
    '-f', join(FILES, 'pom.xml'),
    // Maven's own download cache lives with fluxo's other caches, not in ~/.m2.
    `-Dmaven.repo.local=${join(ctx.cacheDir, 'maven')}`,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${partial}`,
  ]);
  if (!existsSync(join(partial, `kafka_2.13-${VERSION}.jar`))) {
    throw new StackError('kafka', `mvn finished but kafka_2.13-${VERSION}.jar is not in ${partial}`);
  }
  writeFileSync(join(partial, '.complete'), `${new Date().toISOString()}\n`);
  rmSync(libsDir(ctx), { recursive: true, force: true });
  renameSync(partial, libsDir(ctx));
}

const template = () => readFileSync(join(FILES, 'server.properties'), 'utf8');

/** Writes server.properties from the template, so a change to the template applies on the next start. */
function renderProperties(ctx: StackContext): void {
  mkdirSync(logDirs(ctx), { recursive: true });
  writeFileSync(propertiesFile(ctx), template().replaceAll('{{LOG_DIRS}}', logDirs(ctx)));
}

/** Formats KRaft storage once; --ignore-formatted makes a repeat harmless. */
function format(ctx: StackContext, file: string): void {
  run('kafka', 'java', [
    '-Xmx256m',
    LOG4J,
    ...useArchive(archiveFile(ctx)),
    '-cp', classpath(ctx),
    'kafka.tools.StorageTool', 'format',
    '-t', clusterId(),
    '-c', file,
    '--ignore-formatted',
  ]);
}

/**
 * A cluster id as Kafka's `Uuid.randomUuid()` makes one: 16 random bytes, URL-safe base64 without
 * padding, never starting with '-' (it would read as a command-line option).
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
