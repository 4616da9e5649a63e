/**
 * Heartbeats for the catalog's long activities: at most one per interval (a heartbeat per row would flood
 * the server), with progress details, and a way to stop promptly when the workflow cancels the activity.
 * Outside an activity (unit tests, benchmarks calling the functions directly) it does nothing.
 */
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';

export interface ActivityProgress {
  /** Aborts when the activity is cancelled (pass it to streams), never outside an activity. */
  readonly signal: AbortSignal | undefined;
  /** Heartbeats `details` unless one was sent less than the interval ago. */
  beat(details: unknown): void;
  /** Throws the cancellation when the activity was cancelled. */
  throwIfCancelled(): void;
}

export function activityProgress(intervalMs = 1000): ActivityProgress {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    context = undefined;
  }
  let last = 0;
  return {
    signal: context?.cancellationSignal,
    beat(details) {
      if (!context) return;
      const now = Date.now();
      if (now - last < intervalMs) return;
      last = now;
      context.heartbeat(details);
    },
    throwIfCancelled() {
      const signal = context?.cancellationSignal;
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledFailure('activity cancelled');
    },
  };
}

/**
 * Heartbeats every `intervalMs` while `work` runs: for steps that are one long SQL statement, where there is
 * no loop to heartbeat from. The process being alive is what the heartbeat proves there.
 */
export async function heartbeatWhile<T>(work: Promise<T>, details: unknown, intervalMs = 5000): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return work;
  }
  const timer = setInterval(() => context.heartbeat(details), intervalMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
