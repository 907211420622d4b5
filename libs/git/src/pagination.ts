import { z } from 'zod';

export const DEFAULT_PAGE_SIZE = 30;
export const MAX_PAGE_SIZE = 100;

/** A page of a keyset-paginated list: pass `nextCursor` as `after` to get the next page. */
export interface Page<Item, Cursor> {
  items: Item[];
  nextCursor: Cursor | null;
}

export const limitSchema = z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE);

/**
 * Cuts a result fetched with `limit + 1` rows into a page: the extra row only says whether a next
 * page exists.
 */
export function toPage<Item, Cursor>(
  rows: Item[],
  limit: number,
  cursorOf: (item: Item) => Cursor,
): Page<Item, Cursor> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]) : null };
}
