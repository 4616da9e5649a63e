/**
 * The weekly per-user digest (schedule `insights-digest-weekly`): for the period ending at the schedule's
 * nominal time (or `periodEnd`), one digest per user who wrote insights in it, stored in MongoDB.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { DEFAULT_DIGEST_DAYS, digestPeriod } from '../../domain/insights/digest';
import type { DigestInput, DigestResult } from '../../domain/insights/periodic';
import { corpusSteps } from './activities';

/** Set by Temporal on workflows a schedule starts: the action's nominal time. */
const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function insightsWeeklyDigestWorkflow(input: DigestInput = {}): Promise<DigestResult> {
  const info = workflowInfo();
  const end = input.periodEnd ? new Date(input.periodEnd) : (info.typedSearchAttributes.get(scheduledStartTime) ?? info.startTime);
  const period = digestPeriod(end, input.days ?? DEFAULT_DIGEST_DAYS);
  const periodStart = period.start.toISOString();
  const periodEnd = period.end.toISOString();
  setCurrentDetails(`building digests for ${periodStart} → ${periodEnd}`);
  const built = await corpusSteps.buildInsightDigests({ periodStart, periodEnd });
  setCurrentDetails(`${built.users} digests from ${built.insights} insights, ${periodStart} → ${periodEnd}`);
  return { periodStart, periodEnd, users: built.users, insights: built.insights };
}
