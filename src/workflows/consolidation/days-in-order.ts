/**
 * Runs the consolidation of several days one after the other, as child workflows under the days' own ids
 * (`consolidacao-<day>`), because closing balances carry forward: a day runs only once the one before it has
 * succeeded. A day whose consolidation is already running (started by the API, say) is waited for, then run
 * again, so the result reflects the days before it. The first failed day stops the sequence.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  setCurrentDetails,
  sleep,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { consolidationWorkflowId, type ConsolidationRequester, type DayOutcome } from '../../domain/consolidation/run';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { consolidationWorkflow } from './daily';

/** The child's own failure message (a ChildWorkflowFailure wraps it). */
const causeMessage = (error: unknown): string => {
  const failure = error as Error & { cause?: Error };
  return failure.cause?.message ?? failure.message;
};

/** How often to look again when the day's consolidation is already running. */
const BUSY_RETRY = '30 seconds';

export async function runDayInOrder(day: string, requester: ConsolidationRequester, position: string): Promise<DayOutcome> {
  const workflowId = consolidationWorkflowId(day);
  for (;;) {
    try {
      setCurrentDetails(`${position}: consolidating **${day}** (${workflowId})`);
      const child = await startChild(consolidationWorkflow, {
        workflowId,
        args: [{ dataRef: day, requestedBy: requester.requestedBy, requestId: requester.requestId }],
        // A re-run of a finished day is the point here; a running one is waited for below.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        // Stopping the sequence asks the day's run to stop cleanly (it records itself as failed).
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        staticSummary: `Daily consolidation of ${day}`,
        typedSearchAttributes: [
          { key: searchAttributeKeys.DataRef, value: day },
          { key: searchAttributeKeys.Principal, value: requester.requestedBy },
          { key: searchAttributeKeys.RequestId, value: requester.requestId },
        ],
      });
      try {
        const result = await child.result();
        return { dataRef: day, workflowId, runId: result.runId, entries: result.entries };
      } catch (error) {
        throw ApplicationFailure.create({
          type: 'ConsolidationDayFailed',
          message: `consolidation of ${day} failed; later days were not run: ${causeMessage(error)}`,
          nonRetryable: true,
          cause: error as Error,
        });
      }
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      setCurrentDetails(`${position}: **${day}** is being consolidated by another request; waiting to run it after`);
      await sleep(BUSY_RETRY);
    }
  }
}
