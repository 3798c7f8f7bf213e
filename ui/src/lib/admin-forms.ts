// Small pure helpers of the admin pages: the namespaces field of an API key, the password rule, and paging.

/** Namespaces typed as one text: separated by commas, spaces or new lines; blanks and duplicates dropped,
 *  order kept. (A namespace may itself hold `:` or `/`, e.g. `s3://bucket`, so only those separators split.) */
export function parseNamespaces(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[\s,]+/)) {
    const ns = part.trim();
    if (ns) seen.add(ns);
  }
  return [...seen];
}

export const MIN_PASSWORD_LENGTH = 12;

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, confirm?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (confirm !== undefined && confirm !== password) return 'The two passwords differ.';
  return null;
}

export interface PageWindow {
  /** 1-based index of the first row shown, 0 when there is none. */
  from: number;
  /** 1-based index of the last row shown. */
  to: number;
  total: number;
  prevOffset: number | null;
  nextOffset: number | null;
}

/** Where a page of `shown` rows at `offset` (page size `limit`) sits among `total`. */
export function pageWindow(total: number, offset: number, limit: number, shown: number): PageWindow {
  const safeOffset = Math.max(0, Math.floor(offset));
  const size = Math.max(1, Math.floor(limit));
  const from = shown > 0 ? safeOffset + 1 : 0;
  const to = shown > 0 ? safeOffset + shown : 0;
  return {
    from, to, total,
    prevOffset: safeOffset > 0 ? Math.max(0, safeOffset - size) : null,
    nextOffset: safeOffset + size < total ? safeOffset + size : null,
  };
}

/** A non-negative integer from a query parameter, or `fallback`. */
export function intParam(value: string | null, fallback: number): number {
  if (value === null || !/^\d{1,9}$/.test(value)) return fallback;
  return Number(value);
}
