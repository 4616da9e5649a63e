/**
 * `CatalogoPublicado` (topic `catalogo.publicados`, key = catalog id): a catalog version was published.
 * Written to `catalog_outbox` in the publish transaction and relayed to Kafka; consumers de-duplicate by
 * event_id (at least once).
 */

export const CATALOG_PUBLISHED_EVENT_TYPE = 'CatalogoPublicado';
export const CATALOG_PUBLISHED_EVENT_VERSION = 1;

export interface CatalogPublishedPayload {
  catalog_id: string;
  version: number;
  previous_version: number | null;
  item_count: number;
  sha256: string;
  snapshot_key: string;
  manifest_key: string;
  snapshot_uri: string;
  published_at: string;
}

export interface CatalogPublishedEvent {
  event_id: string;
  event_type: typeof CATALOG_PUBLISHED_EVENT_TYPE;
  event_version: number;
  occurred_at: string;
  payload: CatalogPublishedPayload;
}
