/** How the insight workflow orders and collapses the changes queued for one insight. */
import type { InsightChange } from './workflow';

/** The next change to handle; a run of updates/re-drives collapses into its last update (or one re-drive). */
export function takeNext(pending: InsightChange[]): { change: InsightChange; superseded: InsightChange[] } {
  const first = pending.shift()!;
  if (first.kind !== 'update' && first.kind !== 'reprocess') return { change: first, superseded: [] };
  let chosen = first;
  const superseded: InsightChange[] = [];
  while (pending.length > 0 && (pending[0]!.kind === 'update' || pending[0]!.kind === 'reprocess')) {
    const next = pending.shift()!;
    if (next.kind === 'update' || chosen.kind === 'reprocess') {
      superseded.push(chosen);
      chosen = next;
    } else {
      superseded.push(next);
    }
  }
  return { change: chosen, superseded };
}
