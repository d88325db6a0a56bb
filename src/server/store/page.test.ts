import { describe, expect, it } from 'vitest';
import { encodeCursor, parsePage, splitPage } from './page.ts';

describe('pages', () => {
  it('reads limit and cursor, refusing what it did not give out', () => {
    expect(parsePage(new URLSearchParams(''))).toEqual({ limit: 50, after: null });
    const c = encodeCursor('2026-01-01T00:00:00.000Z', 42);
    expect(parsePage(new URLSearchParams(`limit=10&cursor=${c}`))).toEqual({
      limit: 10,
      after: { at: '2026-01-01T00:00:00.000Z', rowid: 42 },
    });
    expect(() => parsePage(new URLSearchParams('limit=0'))).toThrow(/limit/);
    expect(() => parsePage(new URLSearchParams('limit=201'))).toThrow(/limit/);
    expect(() => parsePage(new URLSearchParams('cursor=nope'))).toThrow(/cursor/);
  });
  it('cuts a page and points at the next one', () => {
    const rows = [3, 2, 1].map((n) => ({ created_at: `t${n}`, rowid: n }));
    expect(splitPage(rows, 3)).toEqual({ rows, nextCursor: null });
    const { rows: page, nextCursor } = splitPage(rows, 2);
    expect(page).toHaveLength(2);
    expect(nextCursor).toBe(encodeCursor('t2', 2));
  });
});
