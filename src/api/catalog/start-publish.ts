/**
 * Starting the catalog's publish under its business-key id. The id is reused run after run (ALLOW_DUPLICATE)
 * but never twice at once (conflict policy FAIL): a request while a run is going is answered with that run.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import { catalogPublishWorkflowId, type CatalogPublishInput } from '../../domain/catalog/publish';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { taskQueues } from '../../domain/task-queues';
import type { catalogPublishWorkflow } from '../../workflows/catalog/publish';

export interface PublishRun {
  workflowId: string;
  runId: string;
  /** false: a run was already going, and this is it. */
  started: boolean;
  importId: string | null;
}

/** The run going on now for the catalog, if any. */
export async function runningPublish(client: Client, catalogId: string): Promise<PublishRun | undefined> {
  const workflowId = catalogPublishWorkflowId(catalogId);
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    if (description.status.name !== 'RUNNING') return undefined;
    const importId = (description.memo?.import_id as string | null | undefined) ?? null;
    return { workflowId, runId: description.runId, started: false, importId };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

export async function startPublish(client: Client, input: CatalogPublishInput): Promise<PublishRun> {
  const workflowId = catalogPublishWorkflowId(input.catalogId);
  const importId = input.import?.importId ?? null;
  try {
    const handle = await client.workflow.start<typeof catalogPublishWorkflow>('catalogPublishWorkflow', {
      workflowId,
      taskQueue: taskQueues.catalog,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      memo: { request_id: input.requestId, principal: input.requestedBy, import_id: importId, catalog_id: input.catalogId },
      typedSearchAttributes: [
        { key: searchAttributeKeys.RequestId, value: input.requestId },
        { key: searchAttributeKeys.Principal, value: input.requestedBy },
      ] as SearchAttributePair[],
      staticSummary: input.import
        ? `Catalog ${input.catalogId}: import ${input.import.sourceKey.split('/').pop()} and publish`
        : `Catalog ${input.catalogId}: publish`,
    });
    return { workflowId, runId: handle.firstExecutionRunId, started: true, importId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    // Lost the race to another request: answer with the run that won (it may even have finished already).
    const description = await client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId: description.runId, started: false, importId: (description.memo?.import_id as string | null) ?? null };
  }
}
