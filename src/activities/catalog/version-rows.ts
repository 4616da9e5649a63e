/** catalog_versions rows and the per-catalog lock every state change of a catalog takes. */
import type { PoolClient } from 'pg';

export interface VersionRow {
  catalog_id: string;
  version: number;
  status: 'draft' | 'published' | 'failed' | 'superseded';
  workflow_id: string;
  run_id: string;
  import_id: string | null;
  item_count: number | null;
  sha256: string | null;
  size_bytes: string | null;
  snapshot_key: string | null;
  manifest_key: string | null;
  snapshot_uri: string | null;
  previous_version: number | null;
  failure_reason: string | null;
  created_at: Date;
  snapshot_at: Date | null;
  verified_at: Date | null;
  published_at: Date | null;
  superseded_at: Date | null;
  failed_at: Date | null;
}

/**
 * Serialises drafts, publishes and compensations of one catalog (a transaction-scoped advisory lock, so it
 * is released by COMMIT or ROLLBACK whatever happens).
 */
export async function lockCatalog(client: PoolClient, catalogId: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended('catalog:' || $1, 0))", [catalogId]);
}

export async function versionOfRun(client: Pick<PoolClient, 'query'>, runId: string): Promise<VersionRow | undefined> {
  const { rows } = await client.query<VersionRow>('SELECT * FROM catalog_versions WHERE run_id = $1', [runId]);
  return rows[0];
}

/** The draft of `runId` that the step may work on; fails (non-retryable) when the run no longer owns one. */
export async function draftOfRun(client: Pick<PoolClient, 'query'>, runId: string, version: number): Promise<VersionRow | undefined> {
  const { rows } = await client.query<VersionRow>(
    "SELECT * FROM catalog_versions WHERE run_id = $1 AND version = $2 AND status = 'draft'",
    [runId, version],
  );
  return rows[0];
}
