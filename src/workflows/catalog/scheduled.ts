/**
 * `catalogo-snapshot`, the daily schedule (02:00 America/Sao_Paulo), starts this small workflow, which starts
 * the publish as a child under the catalog's business-key id. Schedules append the time to the ids they
 * start, so starting the publish directly would not keep one publish at a time; through the fixed child id
 * a publish already running (an API request, say) makes this run end as `already-running`.
 *
 * If this workflow is terminated or cancelled, the child is asked to cancel (and so compensates) rather
 * than being terminated half-way.
 */
import {
  ParentClosePolicy,
  setCurrentDetails,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { catalogPublishWorkflowId, type CatalogPublishResult } from '../../domain/catalog/publish';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { catalogPublishWorkflow } from './publish';

export interface ScheduledCatalogPublishInput {
  catalogId: string;
  scheduleId: string;
}

export type ScheduledCatalogPublishResult =
  | { outcome: 'published'; workflowId: string; result: CatalogPublishResult }
  | { outcome: 'already-running'; workflowId: string };

export async function catalogScheduledPublishWorkflow(input: ScheduledCatalogPublishInput): Promise<ScheduledCatalogPublishResult> {
  const workflowId = catalogPublishWorkflowId(input.catalogId);
  const principal = `schedule:${input.scheduleId}`;
  try {
    setCurrentDetails(`starting ${workflowId}`);
    const child = await startChild(catalogPublishWorkflow, {
      workflowId,
      args: [{ catalogId: input.catalogId, requestedBy: principal, requestId: workflowInfo().workflowId }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `Scheduled catalog publish (${input.catalogId})`,
      typedSearchAttributes: [
        { key: searchAttributeKeys.Principal, value: principal },
        { key: searchAttributeKeys.RequestId, value: workflowInfo().workflowId },
      ],
    });
    setCurrentDetails(`waiting for ${workflowId} (run ${child.firstExecutionRunId})`);
    const result = await child.result();
    setCurrentDetails(`published version ${result.version}`);
    return { outcome: 'published', workflowId, result };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      setCurrentDetails(`${workflowId} was already running: nothing to do`);
      return { outcome: 'already-running', workflowId };
    }
    throw error;
  }
}
