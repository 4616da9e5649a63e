/**
 * Starting a workflow from a request: business-key id, idempotent (the same id answers with the existing run),
 * the request id and principal recorded in memo and search attributes, a static summary for the Web UI.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type SearchAttributePair, type Workflow } from '@temporalio/common';
import type { RequestContext } from '../domain/request-context';
import { searchAttributeKeys } from '../domain/search-attributes';

export interface StartOptions<W extends Workflow> {
  workflow: W | string;
  workflowId: string;
  taskQueue: string;
  args: Parameters<W>;
  context: RequestContext;
  summary: string;
  searchAttributes?: SearchAttributePair[];
}

/** Returns the handle and whether this call started it (false: an earlier call with the same id did). */
export async function startIdempotent<W extends Workflow>(
  client: Client,
  options: StartOptions<W>,
): Promise<{ handle: WorkflowHandle<W>; started: boolean }> {
  try {
    // The SDK's conditional `args` typing does not narrow for a generic W; the call is checked at our call sites.
    const startOptions = {
      workflowId: options.workflowId,
      taskQueue: options.taskQueue,
      args: options.args,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      memo: { request_id: options.context.requestId, principal: options.context.principal },
      typedSearchAttributes: [
        { key: searchAttributeKeys.RequestId, value: options.context.requestId },
        { key: searchAttributeKeys.Principal, value: options.context.principal },
        ...(options.searchAttributes ?? []),
      ] as SearchAttributePair[],
      staticSummary: options.summary,
    } as unknown as WorkflowStartOptions<W>;
    const handle = await client.workflow.start(options.workflow as W, startOptions);
    return { handle, started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return { handle: client.workflow.getHandle<W>(options.workflowId), started: false };
    }
    throw error;
  }
}
