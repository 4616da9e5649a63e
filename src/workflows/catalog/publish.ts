/**
 * The catalog publish workflow, id `catalog-publish` (one publish at a time per catalog):
 *
 *   import (optional: the CSV streamed into staging, accepted or rejected as a whole)
 *   → draft (a new version number) → apply (accepted rows upserted, what they overwrite kept)
 *   → snapshot (gzip NDJSON sorted by sku + manifest, uploaded) → verify (read back, hashed, compared with
 *   the database) → publish (latest.json, then one transaction: pointer, superseded, published, outbox)
 *   → relay the CatalogoPublicado event to Kafka (best effort).
 *
 * Never publishes a snapshot it has not verified. When anything fails, or the workflow is cancelled, the
 * compensation runs in a scope cancellation cannot interrupt: catalog_items and the current pointer go back
 * to what they were, the version is marked failed, latest.json matches the pointer, uploads are deleted.
 */
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  CATALOG_STEPS,
  catalogErrors,
  catalogProgressQuery,
  type CatalogProgress,
  type CatalogPublishInput,
  type CatalogPublishResult,
  type CatalogStep,
} from '../../domain/catalog/publish';
import { searchAttributeKeys } from '../../domain/search-attributes';
import { afterCommit, compensation, database, streaming } from './activities';

/** The innermost cause's message: an ActivityFailure wraps the ApplicationFailure that says what happened. */
function messageOf(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return current?.message ?? String(error);
}

export async function catalogPublishWorkflow(input: CatalogPublishInput): Promise<CatalogPublishResult> {
  const { workflowId, runId } = workflowInfo();
  const { catalogId } = input;
  const steps = CATALOG_STEPS.filter((step) => step !== 'import' && step !== 'apply' ? true : Boolean(input.import));
  const progress: CatalogProgress = {
    catalogId,
    step: steps[0]!,
    version: null,
    import: null,
    snapshot: null,
    verify: null,
    failure: null,
    compensation: null,
  };
  setHandler(catalogProgressQuery, () => progress);

  /** The Web UI's current details: where the run is and what it has so far. */
  const show = (detail: string) => {
    const position = steps.indexOf(progress.step as CatalogStep);
    const stepLabel = position >= 0 ? `step ${position + 1}/${steps.length} · ${progress.step}` : progress.step;
    const version = progress.version === null ? '' : ` · version ${progress.version}`;
    setCurrentDetails(`**catalog ${catalogId}** · ${stepLabel}${version}\n\n${detail}`);
  };
  const moveTo = (step: CatalogStep, detail: string) => {
    progress.step = step;
    show(detail);
  };

  let published: Awaited<ReturnType<typeof database.publishCatalogVersion>>;
  try {
    if (input.import) {
      moveTo('import', `streaming ${input.import.sourceKey} into staging`);
      progress.import = await streaming.importCatalogCsv({ catalogId, ...input.import, workflowId, runId });
      const summary = progress.import;
      if (summary.status === 'rejected') {
        throw ApplicationFailure.nonRetryable(
          `catalog import ${summary.importId} rejected: ${summary.rejectionReason}`,
          catalogErrors.importRejected,
          summary,
        );
      }
    }

    moveTo('draft', 'drafting a new version');
    const draft = await database.draftCatalogVersion({ catalogId, workflowId, runId, importId: input.import?.importId ?? null });
    progress.version = draft.version;
    upsertSearchAttributes([{ key: searchAttributeKeys.CatalogVersion, value: draft.version }]);

    if (input.import) {
      const summary = progress.import!;
      moveTo('apply', `upserting ${summary.rowsValid} valid rows (${summary.rowsInvalid} invalid, ${summary.duplicates} duplicates)`);
      await database.applyCatalogImport({ catalogId, importId: input.import.importId, runId, version: draft.version });
    }

    moveTo('snapshot', 'writing gzip NDJSON sorted by sku and its manifest');
    progress.snapshot = await streaming.buildCatalogSnapshot({ catalogId, version: draft.version, runId });

    moveTo('verify', `reading back ${progress.snapshot.itemCount} items (${progress.snapshot.sizeBytes} bytes), hashing, comparing with the database`);
    progress.verify = await streaming.verifyCatalogSnapshot({ catalogId, version: draft.version, runId });

    moveTo('publish', `switching the current pointer to version ${draft.version}`);
    published = await database.publishCatalogVersion({ catalogId, version: draft.version, runId });
  } catch (error) {
    progress.failure = messageOf(error);
    await compensate(error);
    throw error;
  }

  progress.step = 'done';
  show(`published: ${progress.snapshot.itemCount} items, sha256 ${progress.snapshot.sha256}`);
  await afterCommit.finishCatalogRun({ importId: input.import?.importId ?? null }).catch((error: unknown) => {
    log.warn('catalog run cleanup failed; staged rows stay until the next run of this import id', { error: messageOf(error) });
  });
  let eventRelayed = false;
  if (published.eventQueued) {
    try {
      eventRelayed = (await afterCommit.relayCatalogOutbox()).published > 0;
    } catch (error) {
      log.warn('CatalogoPublicado not relayed now; it waits in catalog_outbox for the next relay', { error: messageOf(error) });
    }
  }
  return {
    catalogId,
    version: published.version,
    previousVersion: published.previousVersion,
    itemCount: progress.snapshot.itemCount,
    sha256: progress.snapshot.sha256,
    snapshotUri: progress.snapshot.snapshotUri,
    import: progress.import,
    divergence: progress.verify.divergence,
    eventRelayed,
  };

  /** Runs even when the workflow was cancelled; records its outcome for the progress query and details. */
  async function compensate(error: unknown): Promise<void> {
    const failedAt = progress.step;
    progress.step = 'compensating';
    show(`${isCancellation(error) ? 'cancelled' : 'failed'} at ${failedAt}: ${progress.failure}; undoing`);
    await CancellationScope.nonCancellable(async () => {
      try {
        const outcome = await compensation.compensateCatalogRun({
          catalogId,
          runId,
          reason: `${isCancellation(error) ? 'cancelled' : 'failed'} at ${failedAt}: ${progress.failure}`,
        });
        progress.compensation = {
          result: 'done',
          deletedObjects: outcome.deletedObjects,
          detail: `version ${outcome.version ?? '-'} failed; ${outcome.itemsRestored} items restored; ${outcome.deletedObjects} objects deleted; latest is version ${outcome.latestVersion ?? 'none'}`,
        };
      } catch (compensationError) {
        progress.compensation = { result: 'failed', deletedObjects: 0, detail: messageOf(compensationError) };
        log.error('catalog compensation failed: an operator must clean up this run', { runId, error: messageOf(compensationError) });
      }
    });
    progress.step = 'failed';
    show(`${isCancellation(error) ? 'cancelled' : 'failed'} at ${failedAt}: ${progress.failure}\n\ncompensation ${progress.compensation?.result}: ${progress.compensation?.detail}`);
  }
}
