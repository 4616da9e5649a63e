/**
 * A catalog item and its snapshot line. The snapshot is NDJSON, one item per line in byte order of sku:
 *
 *   {"sku":"A-1","name":"Shirt, blue","price":"10.50","category":"apparel","active":true,"attributes":{"size": "M"}}
 *
 * Fixed field order; strings escaped as JSON; price as text with exactly 2 decimals (never a float);
 * attributes as PostgreSQL's canonical jsonb text (keys de-duplicated and in jsonb's order: shorter keys
 * first, then byte order). The lines are written by PostgreSQL itself (SNAPSHOT_LINE_SQL in
 * src/activities/catalog/item-pages.ts), so the same items always give the same text, and the verify step
 * regenerates exactly what a correct snapshot must contain.
 */

export interface CatalogItem {
  /** Unique within a catalog; letters, digits, `.`, `_`, `-` (see rows.ts). */
  sku: string;
  name: string;
  /** Decimal as text with exactly 2 decimals ("12.30"): never a float, so no rounding on the way. */
  price: string;
  category: string;
  active: boolean;
  attributes: Record<string, unknown>;
}

/** Byte order of UTF-8 strings, the order PostgreSQL's `COLLATE "C"` sorts skus in. */
export function compareSku(a: string, b: string): number {
  // skus are ASCII (SKU_PATTERN), where UTF-16 code unit order is byte order.
  return a < b ? -1 : a > b ? 1 : 0;
}
