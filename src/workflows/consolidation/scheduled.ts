/**
 * The `consolidacao-diaria` schedule (18:00 America/Sao_Paulo) starts this workflow. It consolidates the day
 * the schedule fired in (18:00 is the business day's close; see docs/consolidation.md), after re-running, in
 * order, the days of the look-back window whose entries changed since their run (late entries) or whose run
 * did not succeed. Catch-up runs after an outage use the missed action's scheduled time, so each consolidates
 * the day it was meant for.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DayOutcome, ScheduledConsolidationInput, ScheduledConsolidationResult } from '../../domain/consolidation/run';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { steps } from './activities';
import { runDayInOrder } from './days-in-order';

/** Set by Temporal on workflows a schedule starts: the action's nominal time (not when it actually started). */
const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function consolidationScheduledWorkflow(input: ScheduledConsolidationInput): Promise<ScheduledConsolidationResult> {
  const info = workflowInfo();
  const scheduledFor = input.scheduledFor ?? (info.typedSearchAttributes.get(scheduledStartTime) ?? info.startTime).toISOString();
  // A long-running proxy: the look-back counts a week of entries, which can take more than a short timeout.
  const plan = await steps.consolidationDaysToRun({ scheduledFor });
  upsertSearchAttributes([{ key: searchAttributeKeys.DataRef, value: plan.target }]);
  const earlier = Object.entries(plan.reasons).map(([day, reason]) => `${day}: ${reason}`);
  setCurrentDetails(`consolidating **${plan.target}**${earlier.length ? `, after re-running ${earlier.join('; ')}` : ''}`);

  const requester = { requestedBy: `schedule:${input.scheduleId}`, requestId: info.workflowId };
  const days: DayOutcome[] = [];
  for (const [index, day] of plan.days.entries()) {
    days.push(await runDayInOrder(day, requester, `${input.scheduleId} day ${index + 1}/${plan.days.length}`));
  }
  setCurrentDetails(`consolidated ${plan.days.join(', ')}`);
  return { target: plan.target, days };
}
