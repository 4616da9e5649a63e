/**
 * The catalog CSV's columns and the rules one row must meet. Pure functions: the import activity applies
 * them record by record, and the unit tests pin every message a user can see in an import's error report.
 *
 *   sku,name,price,category[,active][,attributes]
 *
 * Header names are matched case-insensitively, in any order, surrounding spaces ignored. Values are trimmed.
 */
import type { CatalogItem } from './item';

export const REQUIRED_COLUMNS = ['sku', 'name', 'price', 'category'] as const;
export const OPTIONAL_COLUMNS = ['active', 'attributes'] as const;
export const ALL_COLUMNS = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS] as const;
export type CatalogColumn = (typeof ALL_COLUMNS)[number];

export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_NAME_LENGTH = 200;
export const MAX_CATEGORY_LENGTH = 100;
export const MAX_ATTRIBUTES_LENGTH = 4096;
/** numeric(12, 2): up to 10 integer digits and 2 decimals. */
const PRICE_PATTERN = /^(\d{1,10})(?:\.(\d{1,2}))?$/;

/** One problem of the file: `column` is a column name, `*` (the whole row) or `header`. */
export interface RowIssue {
  column: string;
  reason: string;
}

/** Where each column sits in the file's records. */
export interface HeaderLayout {
  positions: Partial<Record<CatalogColumn, number>>;
  width: number;
}

/** Checks the header record: every required column once, nothing unknown. */
export function checkHeader(fields: string[]): { layout: HeaderLayout; issues: [] } | { layout?: undefined; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const positions: Partial<Record<CatalogColumn, number>> = {};
  fields.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    if (name === '') {
      issues.push({ column: `#${index + 1}`, reason: `column ${index + 1} has no name` });
    } else if (!(ALL_COLUMNS as readonly string[]).includes(name)) {
      issues.push({ column: raw.trim(), reason: `unknown column "${raw.trim()}"; the columns are ${ALL_COLUMNS.join(', ')}` });
    } else if (positions[name as CatalogColumn] !== undefined) {
      issues.push({ column: name, reason: `column "${name}" appears more than once` });
    } else {
      positions[name as CatalogColumn] = index;
    }
  });
  for (const column of REQUIRED_COLUMNS) {
    if (positions[column] === undefined && !issues.some((issue) => issue.column === column)) {
      issues.push({ column, reason: `required column "${column}" is missing` });
    }
  }
  return issues.length > 0 ? { issues } : { layout: { positions, width: fields.length }, issues: [] };
}

/** "12" → "12.00", "7.5" → "7.50"; undefined with the reason when the text is not a valid price. */
export function parsePrice(text: string): { price: string; reason?: undefined } | { price?: undefined; reason: string } {
  const match = PRICE_PATTERN.exec(text);
  if (match) {
    // The common case first, and cheaply: this runs for every row of a big file.
    let integer = match[1]!;
    if (integer.length > 1 && integer.charCodeAt(0) === 48 /* 0 */) integer = integer.replace(/^0+(?=\d)/, '');
    const decimals = match[2];
    return { price: decimals === undefined ? `${integer}.00` : decimals.length === 1 ? `${integer}.${decimals}0` : `${integer}.${decimals}` };
  }
  if (text === '') return { reason: 'price is required' };
  if (text.startsWith('-')) return { reason: `price must be zero or more, got ${text}` };
  if (/^\d+,\d+$/.test(text)) return { reason: `price must use a dot as the decimal separator, got ${text}` };
  if (/^\d+\.\d{3,}$/.test(text)) return { reason: `price must have at most 2 decimal places, got ${text}` };
  if (/^\d{11,}(\.\d*)?$/.test(text)) return { reason: `price must be below 10000000000, got ${text}` };
  return { reason: `price must be a number like 12.34, got ${JSON.stringify(text)}` };
}

function parseActive(text: string): boolean | undefined {
  switch (text.toLowerCase()) {
    case '':
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      return undefined;
  }
}

function parseAttributes(text: string): { attributes: Record<string, unknown>; reason?: undefined } | { attributes?: undefined; reason: string } {
  if (text === '') return { attributes: {} };
  // Checked before parsing: most bad values are caught without the cost of JSON.parse.
  if (text.charCodeAt(0) !== 123 /* { */) return { reason: 'attributes must be a JSON object, e.g. {"color":"red"}' };
  if (text.length > MAX_ATTRIBUTES_LENGTH) return { reason: `attributes must be at most ${MAX_ATTRIBUTES_LENGTH} characters` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { reason: 'attributes must be a JSON object, e.g. {"color":"red"}' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { reason: 'attributes must be a JSON object, e.g. {"color":"red"}' };
  return { attributes: value as Record<string, unknown> };
}

/** The trimmed value of `column` in `fields` ('' when the file has no such column). */
function valueOf(fields: string[], layout: HeaderLayout, column: CatalogColumn): string {
  const position = layout.positions[column];
  return position === undefined ? '' : fields[position]!.trim();
}

/**
 * Validates one data record against the header: the item, or every problem found in it.
 * Runs once per row of files with millions of rows: no closures or allocations beyond the result.
 */
export function validateRow(fields: string[], layout: HeaderLayout): { item: CatalogItem; issues: [] } | { item?: undefined; issues: RowIssue[] } {
  if (fields.length !== layout.width) {
    return { issues: [{ column: '*', reason: `expected ${layout.width} fields, found ${fields.length}` }] };
  }
  let issues: RowIssue[] | undefined;
  const sku = valueOf(fields, layout, 'sku');
  if (sku === '') (issues ??= []).push({ column: 'sku', reason: 'sku is required' });
  else if (!SKU_PATTERN.test(sku)) {
    (issues ??= []).push({ column: 'sku', reason: `sku must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit; got ${JSON.stringify(sku.slice(0, 80))}` });
  }

  const name = valueOf(fields, layout, 'name');
  if (name === '') (issues ??= []).push({ column: 'name', reason: 'name is required' });
  else if (name.length > MAX_NAME_LENGTH) (issues ??= []).push({ column: 'name', reason: `name must be at most ${MAX_NAME_LENGTH} characters` });

  const price = parsePrice(valueOf(fields, layout, 'price'));
  if (price.reason !== undefined) (issues ??= []).push({ column: 'price', reason: price.reason });

  const category = valueOf(fields, layout, 'category');
  if (category === '') (issues ??= []).push({ column: 'category', reason: 'category is required' });
  else if (category.length > MAX_CATEGORY_LENGTH) (issues ??= []).push({ column: 'category', reason: `category must be at most ${MAX_CATEGORY_LENGTH} characters` });

  const activeText = valueOf(fields, layout, 'active');
  const active = parseActive(activeText);
  if (active === undefined) (issues ??= []).push({ column: 'active', reason: `active must be true, false, 1, 0, yes, no or empty; got ${JSON.stringify(activeText.slice(0, 20))}` });

  const attributes = parseAttributes(valueOf(fields, layout, 'attributes'));
  if (attributes.reason !== undefined) (issues ??= []).push({ column: 'attributes', reason: attributes.reason });

  if (issues !== undefined || price.price === undefined || attributes.attributes === undefined || active === undefined) return { issues: issues ?? [] };
  return { item: { sku, name, price: price.price, category, active, attributes: attributes.attributes }, issues: [] };
}

/** A record that is only whitespace (e.g. a line of spaces) counts as a blank line, not a row. */
export const isBlankRecord = (fields: string[]) => fields.length === 1 && fields[0]!.trim() === '';
