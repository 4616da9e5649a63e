/**
 * Applies schedule definitions idempotently: creates a missing schedule, updates one whose definition changed,
 * leaves an unchanged one alone. "Changed" is decided by a revision (hash of the definition) kept in the
 * schedule's action memo, because Temporal normalises specs (cron → calendars) and cannot be compared field by
 * field. An update keeps the schedule's paused state and note: apply never undoes an operator's pause.
 * With `prune`, schedules fluxo created (memo managed_by=fluxo) that are no longer defined are deleted.
 */
import { createHash } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleUpdateOptions } from '@temporalio/client';
import type { SearchAttributePair, Workflow } from '@temporalio/common';
import { searchAttributeKeys } from '../../domain/search-attributes';
import type { ScheduleDefinition } from './types';

export const MANAGED_BY = 'fluxo';
const REVISION_KEY = 'fluxo_schedule_revision';
const DEFAULT_CATCHUP = '1 day';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged' | 'deleted';
export interface ApplyResult {
  id: string;
  outcome: ApplyOutcome;
}

export function scheduleRevision(definition: ScheduleDefinition): string {
  return createHash('sha256').update(stableJson(definition)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function action(definition: ScheduleDefinition): ScheduleOptionsStartWorkflowAction<Workflow> {
  return {
    type: 'startWorkflow',
    workflowType: definition.workflowType,
    taskQueue: definition.taskQueue,
    args: definition.args,
    workflowId: definition.workflowId,
    workflowExecutionTimeout: definition.workflowExecutionTimeout,
    staticSummary: definition.summary,
    memo: { [REVISION_KEY]: scheduleRevision(definition), schedule_id: definition.id },
    typedSearchAttributes: [
      { key: searchAttributeKeys.Principal, value: `schedule:${definition.id}` },
      ...(definition.searchAttributes ?? []),
    ] as SearchAttributePair[],
  } as ScheduleOptionsStartWorkflowAction<Workflow>;
}

function policies(definition: ScheduleDefinition) {
  return {
    overlap: definition.overlap ?? 'SKIP',
    catchupWindow: definition.catchupWindow ?? DEFAULT_CATCHUP,
    pauseOnFailure: definition.pauseOnFailure ?? false,
  } as const;
}

export function validateDefinitions(definitions: ScheduleDefinition[]): void {
  const seen = new Set<string>();
  for (const definition of definitions) {
    if (!/^[a-z0-9][a-z0-9-]{2,99}$/.test(definition.id)) throw new Error(`schedule id ${definition.id} must be lower-case kebab-case`);
    if (seen.has(definition.id)) throw new Error(`schedule id ${definition.id} is defined twice`);
    seen.add(definition.id);
  }
}

export async function applySchedules(
  client: Client,
  definitions: ScheduleDefinition[],
  options: {
    prune?: boolean;
    /** Limits pruning to matching schedule ids (e.g. one domain's prefix); default: every fluxo schedule. */
    pruneScope?: (scheduleId: string) => boolean;
  } = {},
): Promise<ApplyResult[]> {
  validateDefinitions(definitions);
  const results: ApplyResult[] = [];
  for (const definition of definitions) results.push({ id: definition.id, outcome: await applyOne(client, definition) });
  if (options.prune) {
    const wanted = new Set(definitions.map((definition) => definition.id));
    for await (const summary of client.schedule.list()) {
      if (wanted.has(summary.scheduleId) || summary.memo?.managed_by !== MANAGED_BY) continue;
      if (options.pruneScope && !options.pruneScope(summary.scheduleId)) continue;
      await client.schedule.getHandle(summary.scheduleId).delete();
      results.push({ id: summary.scheduleId, outcome: 'deleted' });
    }
  }
  return results;
}

async function applyOne(client: Client, definition: ScheduleDefinition): Promise<ApplyOutcome> {
  const handle = client.schedule.getHandle(definition.id);
  let current: Awaited<ReturnType<typeof handle.describe>> | undefined;
  try {
    current = await handle.describe();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
  if (!current) {
    try {
      await client.schedule.create({
        scheduleId: definition.id,
        spec: definition.spec,
        action: action(definition),
        policies: policies(definition),
        state: { paused: definition.paused ?? false, note: definition.description },
        memo: { managed_by: MANAGED_BY, description: definition.description },
      });
      return 'created';
    } catch (error) {
      // Another apply created it in between: fall through to the comparison.
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      current = await handle.describe();
    }
  }
  if (current.action.memo?.[REVISION_KEY] === scheduleRevision(definition)) return 'unchanged';
  await handle.update(
    (previous): ScheduleUpdateOptions<ScheduleOptionsStartWorkflowAction<Workflow>> => ({
      spec: definition.spec,
      action: action(definition),
      policies: policies(definition),
      state: { paused: previous.state.paused, note: previous.state.note, remainingActions: previous.state.remainingActions },
    }),
  );
  return 'updated';
}
