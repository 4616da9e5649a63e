/**
 * Neo4j 5.26 LTS Community, embedded: no server distribution is reachable from this network, but the
 * embedded API is on Maven Central. scripts/stack/neo4j-launcher is a Maven project whose small main starts
 * a DatabaseManagementService with only Bolt on 127.0.0.1:7687 and auth off. Maven builds it once into
 * <cache>/neo4j-<version>/ (the repo keeps no target/); the build reruns only when the launcher sources change.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createNeo4jStore } from '../../../src/stores/neo4j';
import { isPortOpen } from '../net';
import { commandExists, isDaemonRunning, run, spawnDaemon, stopDaemon } from '../process';
import { StackError, type StackContext, type StackService } from '../types';

const PORT = 7687;
const LAUNCHER = join(__dirname, '..', 'neo4j-launcher');
const POM = join(LAUNCHER, 'pom.xml');
const MAIN_CLASS = 'dev.fluxo.neo4j.Launcher';
/** Heap for Neo4j itself; the page cache (store files) and transaction memory are bounded by the launcher. */
const HEAP = ['-Xms128m', '-Xmx768m'];
const PAGE_CACHE_MB = 256;
const TX_MEMORY_MB = 256;
/** Java 17 module flags Neo4j 5 needs (its own neo4j.conf sets the same). */
const JAVA_OPENS = [
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '-Dio.netty.tryReflectionSetAccessible=true',
];

/** The version lives once, in the pom; the cache folder is named after it so an upgrade builds afresh. */
function neo4jVersion(): string {
  const match = /<neo4j\.version>([^<]+)<\/neo4j\.version>/.exec(readFileSync(POM, 'utf8'));
  if (!match?.[1]) throw new StackError('neo4j', `no <neo4j.version> in ${POM}`);
  return match[1];
}

const home = (ctx: StackContext) => join(ctx.cacheDir, `neo4j-${neo4jVersion()}`);
const libs = (ctx: StackContext) => join(home(ctx), 'libs');
const launcherJar = (ctx: StackContext) => join(libs(ctx), 'fluxo-neo4j-launcher.jar');
const hashFile = (ctx: StackContext) => join(home(ctx), 'launcher.sha256');
/** Class-data archive of the classes Neo4j loads: about halves start-up on two busy cores (~40 s → ~20 s). */
const classArchive = (ctx: StackContext) => join(home(ctx), 'neo4j-classes.jsa');

/** The same JVM flags for the warm-up run that records the archive and for every start that maps it. */
function javaArgs(ctx: StackContext, archive: string[], launcherArgs: string[]): string[] {
  return [
    ...HEAP,
    ...JAVA_OPENS,
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:-OmitStackTraceInFastThrow',
    ...archive,
    '-cp', `${libs(ctx)}/*`,
    MAIN_CLASS,
    `--pagecache-mb=${PAGE_CACHE_MB}`,
    `--tx-memory-mb=${TX_MEMORY_MB}`,
    ...launcherArgs,
  ];
}

/**
 * Starts Neo4j once in a scratch folder, runs a few queries and exits, with the JVM writing every class it
 * loaded to the archive at exit. Not fatal when the JVM writes no archive (starts are only slower then).
 */
function recordClassArchive(ctx: StackContext): void {
  const scratch = join(home(ctx), 'warmup');
  rmSync(scratch, { recursive: true, force: true });
  rmSync(classArchive(ctx), { force: true });
  ctx.log('recording the Neo4j class-data archive (one-time warm-up run)');
  try {
    run('neo4j', 'java', javaArgs(ctx, [`-XX:ArchiveClassesAtExit=${classArchive(ctx)}`], [
      `--home=${scratch}`,
      // Any free port: the warm-up loads the Bolt server classes but nobody connects.
      '--bolt=127.0.0.1:0',
      '--warmup=true',
    ]), { timeout: 300_000 });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (!existsSync(classArchive(ctx))) ctx.log('the JVM wrote no class-data archive; Neo4j will start without it');
}

/** Hash of the pom and every source file, so an edited launcher is rebuilt and an unchanged one is not. */
function launcherHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  for (const file of [POM, ...walk(join(LAUNCHER, 'src')).sort()]) {
    hash.update(relative(LAUNCHER, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function javaMajor(): number {
  // `java -version` prints to stderr: openjdk version "17.0.15" 2025-04-15
  const result = run('neo4j', 'sh', ['-c', 'java -version 2>&1']);
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result);
  if (!match) return 0;
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

function ensureJavaAndMaven(ctx: StackContext): void {
  if (commandExists('java') && commandExists('mvn')) return;
  if (!commandExists('apt-get')) throw new StackError('neo4j', 'java 17 and mvn are needed; install a JDK 17 and Maven');
  ctx.log('installing openjdk-17-jdk-headless and maven from Debian');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const packages = ['install', '-y', '-q', 'openjdk-17-jdk-headless', 'maven'];
  try {
    run('neo4j', 'apt-get', packages, { env });
  } catch {
    run('neo4j', 'apt-get', ['update', '-q'], { env });
    run('neo4j', 'apt-get', packages, { env });
  }
}

export const service: StackService = {
  name: 'neo4j',
  order: 40,
  ports: [PORT],
  address: `bolt://127.0.0.1:${PORT}`,
  // A cold JVM creates the system and neo4j databases and compiles its first query: ~15 s idle, much more
  // when the other services start on the same two cores.
  readyTimeoutSeconds: 180,

  async install(ctx) {
    const hash = launcherHash();
    if (existsSync(launcherJar(ctx)) && existsSync(hashFile(ctx)) && readFileSync(hashFile(ctx), 'utf8').trim() === hash) {
      return;
    }
    ensureJavaAndMaven(ctx);
    const major = javaMajor();
    if (major < 17) {
      throw new StackError('neo4j', `Neo4j ${neo4jVersion()} needs Java 17 or 21; \`java\` on PATH is ${major || 'unknown'}`);
    }
    ctx.log(`building the Neo4j ${neo4jVersion()} launcher with Maven (first time: downloads ~125 MB from Maven Central)`);
    // Stale jars of an earlier build must not stay on the classpath.
    rmSync(libs(ctx), { recursive: true, force: true });
    mkdirSync(home(ctx), { recursive: true });
    run('neo4j', 'mvn', [
      '-q', '-B',
      '-f', POM,
      `-DbuildDirectory=${join(home(ctx), 'build')}`,
      `-DlibsDirectory=${libs(ctx)}`,
      'package',
    ]);
    if (!existsSync(launcherJar(ctx))) throw new StackError('neo4j', `Maven finished but ${launcherJar(ctx)} is missing`);
    rmSync(join(home(ctx), 'build'), { recursive: true, force: true });
    // An archive only matches the jars it was recorded from, so every build records a new one.
    recordClassArchive(ctx);
    writeFileSync(hashFile(ctx), hash);
  },

  async start(ctx) {
    const dir = ctx.dataDir('neo4j');
    mkdirSync(dir, { recursive: true });
    // With a stale or unreadable archive the JVM warns in the log and loads classes the slow way.
    const archive = existsSync(classArchive(ctx)) ? [`-XX:SharedArchiveFile=${classArchive(ctx)}`] : [];
    spawnDaemon(ctx, 'neo4j', 'java', javaArgs(ctx, archive, [`--home=${dir}`, `--bolt=127.0.0.1:${PORT}`]));
  },

  // Bolt listens before the databases are available, so only an answered query counts.
  async isReady() {
    if (!(await isPortOpen(PORT))) return false;
    const store = createNeo4jStore({
      NEO4J_URL: `bolt://127.0.0.1:${PORT}`,
      NEO4J_USER: '',
      NEO4J_PASSWORD: '',
      NEO4J_DATABASE: '',
      NEO4J_TIMEOUT_MS: 5000,
      NEO4J_MAX_RETRY_TIME_MS: 1000,
      NEO4J_QUERY_TIMEOUT_MS: 5000,
      NEO4J_POOL_MAX: 1,
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

  isRunning: (ctx) => isDaemonRunning(ctx, 'neo4j'),
  // The shutdown hook checkpoints and closes the store files; give it time rather than SIGKILL into recovery.
  stop: (ctx) => stopDaemon(ctx, 'neo4j', 90),
};
