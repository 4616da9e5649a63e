/**
 * The catalog publish workflow's contract: its input, steps, progress, result and the failure types a caller
 * can match. Shared by the workflow (deterministic), the activities and the API.
 */
import { defineQuery } from '@temporalio/workflow';

export const DEFAULT_CATALOG_ID = 'default';
export const CATALOG_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * One publish at a time per catalog: the workflow id is the catalog's business key. The default catalog's
 * publish is `catalog-publish`; another catalog's is `catalog-publish-<catalog_id>`.
 */
export const catalogPublishWorkflowId = (catalogId: string) =>
  catalogId === DEFAULT_CATALOG_ID ? 'catalog-publish' : `catalog-publish-${catalogId}`;

/** The steps in order; `import` only when a CSV was given. */
export const CATALOG_STEPS = ['import', 'draft', 'apply', 'snapshot', 'verify', 'publish'] as const;
export type CatalogStep = (typeof CATALOG_STEPS)[number];

export interface CatalogImportRequest {
  importId: string;
  /** Object storage key of the CSV (uploaded by the API, or named by the caller's source_uri). */
  sourceKey: string;
}

export interface CatalogPublishInput {
  catalogId: string;
  import?: CatalogImportRequest;
  /** Who asked (principal) and the request id, for the audit trail. */
  requestedBy: string;
  requestId: string;
}

export type ImportStatus = 'loading' | 'loaded' | 'applied' | 'published' | 'rejected' | 'reverted' | 'failed';

export interface ImportSummary {
  importId: string;
  status: ImportStatus;
  rowsTotal: number;
  rowsValid: number;
  rowsInvalid: number;
  duplicates: number;
  errorRate: number;
  errorThreshold: number;
  issuesTotal: number;
  rejectionReason: string | null;
}

export interface SnapshotSummary {
  version: number;
  itemCount: number;
  sha256: string;
  sizeBytes: number;
  snapshotKey: string;
  manifestKey: string;
  snapshotUri: string;
}

export interface VerifySummary {
  sha256: string;
  itemCount: number;
  databaseCount: number;
  /** Items missing, extra or different, over the database count. */
  divergence: number;
  divergenceThreshold: number;
}

export interface CatalogPublishResult {
  catalogId: string;
  version: number;
  previousVersion: number | null;
  itemCount: number;
  sha256: string;
  snapshotUri: string;
  import: ImportSummary | null;
  divergence: number;
  /** Whether the CatalogoPublicado event reached Kafka during the run (false: it waits in the outbox). */
  eventRelayed: boolean;
}

export interface CatalogProgress {
  catalogId: string;
  step: CatalogStep | 'compensating' | 'done' | 'failed';
  version: number | null;
  import: ImportSummary | null;
  snapshot: SnapshotSummary | null;
  verify: VerifySummary | null;
  failure: string | null;
  compensation: { result: 'done' | 'failed'; deletedObjects: number; detail: string } | null;
}

export const catalogProgressQuery = defineQuery<CatalogProgress>('progress');

/** ApplicationFailure types a caller (API, tests, operators) can match. */
export const catalogErrors = {
  /** Bad header, empty file, or more invalid rows than the threshold: nothing was applied. */
  importRejected: 'CatalogImportRejected',
  /** The file is not UTF-8 or not in storage. */
  importUnreadable: 'CatalogImportUnreadable',
  /** The uploaded snapshot's bytes are not the ones written (hash mismatch) or do not parse. */
  verificationFailed: 'CatalogVerificationFailed',
  /** The snapshot differs from the database by more than the divergence threshold. */
  divergenceExceeded: 'CatalogDivergenceExceeded',
  /** Another run of the same catalog holds the draft (should not happen: one workflow id per catalog). */
  concurrentPublish: 'CatalogConcurrentPublish',
} as const;
