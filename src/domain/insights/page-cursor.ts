/**
 * Keyset pagination for the insight lists (newest first): the cursor is the last item's (created_at, id),
 * base64url JSON, so the next page starts strictly after it however many insights arrive meanwhile.
 */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ c: cursor.createdAt.toISOString(), i: cursor.id })).toString('base64url');
}

/** null when the text is not a cursor this API produced. */
export function decodeCursor(text: string): PageCursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof value.c !== 'string' || typeof value.i !== 'string') return null;
    const createdAt = new Date(value.c);
    return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id: value.i };
  } catch {
    return null;
  }
}
