/**
 * Heartbeats for the consolidation's long steps. Most are one long SQL statement, with no loop to heartbeat
 * from: a timer heartbeats while the statement runs (the process being alive is what it proves). Outside an
 * activity (benchmarks and tests calling the functions directly) it does nothing.
 */
import { Context } from '@temporalio/activity';

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Heartbeats `details()` every `intervalMs` while `work` runs. */
export async function heartbeatWhile<T>(work: () => Promise<T>, details: () => unknown = () => undefined, intervalMs = 5000): Promise<T> {
  const context = currentContext();
  if (!context) return work();
  context.heartbeat(details());
  const timer = setInterval(() => context.heartbeat(details()), intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** One heartbeat now (from a loop), if inside an activity. */
export function beat(details?: unknown): void {
  currentContext()?.heartbeat(details);
}
