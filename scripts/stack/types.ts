/**
 * The contract every native service of the stack implements. One file per service in ./services/
 * exports `service: StackService`; the registry discovers them, so adding a service touches no other file.
 */
export interface StackContext {
  /** Downloads and builds, reused across clones and runs (FLUXO_HOME/cache). */
  cacheDir: string;
  /** Persistent data of each service (FLUXO_HOME/data/<service>). */
  dataDir: (service: string) => string;
  /** Pid files and logs (FLUXO_HOME/run). */
  runDir: string;
  logFile: (service: string) => string;
  /** Prints one progress line (to stderr, so `status` output stays clean). */
  log: (message: string) => void;
}

export interface StackService {
  /** Short name used on the command line: `npm run stack -- up <name>`. */
  name: string;
  /** Lower starts first (postgres before services that use it). */
  order: number;
  /** Loopback ports the service listens on; checked free before start. */
  ports: number[];
  /** Human address for `status`, e.g. `postgresql://127.0.0.1:55432` */
  address: string;
  /** Idempotent; caches under ctx.cacheDir; a second call is fast. Throws StackError on failure. */
  install(ctx: StackContext): Promise<void>;
  /** Starts the service detached (see process.ts spawnDaemon) and returns once it was launched. */
  start(ctx: StackContext): Promise<void>;
  /** True when the service answers requests (not just that the port is open). */
  isReady(ctx: StackContext): Promise<boolean>;
  /** Seconds `up` waits for isReady after start. */
  readyTimeoutSeconds: number;
  /** Optional work after ready (create databases, topics, search attributes). Idempotent. */
  afterReady?(ctx: StackContext): Promise<void>;
  /** True when a process of ours runs (pid file alive). */
  isRunning(ctx: StackContext): Promise<boolean>;
  /** Stops gracefully, keeping data. */
  stop(ctx: StackContext): Promise<void>;
  /** Deletes the service's data (service already stopped). Defaults to removing dataDir(name). */
  reset?(ctx: StackContext): Promise<void>;
}

/** A failure the CLI prints as one line: `<service>: <message>` and exits non-zero. */
export class StackError extends Error {
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message);
    this.name = 'StackError';
  }
}
