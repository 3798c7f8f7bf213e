// Labels that fit a card: long names are shortened in the middle so that both the start (where a name
// comes from) and its distinctive tail (the part that tells `orders_2024_q3` from `orders_2024_q4`)
// stay readable; the full name is the card's hover text. Pure, measured in characters.

/** Characters that fit on a card's label line (248 px card, 13 px semi-bold text next to the icon). */
export const LABEL_CHARS = 24;

const ELLIPSIS = '…';
/** A tail may start right after one of these. */
const SEPARATORS = '._/:- ';

/**
 * `text` when it has at most `max` characters, otherwise `head…tail` of exactly `max` characters.
 * The tail is the longest part of the name that starts after a separator and leaves the head at least
 * a quarter of the room (`warehouse.sales.orders_2024_q3` → `warehouse…orders_2024_q3`); a name with no
 * such break keeps its last ~60 %.
 */
export function middleEllipsis(text: string, max: number = LABEL_CHARS): string {
  const chars = Array.from(text);
  const n = chars.length;
  if (n <= max) return text;
  if (max < 2) return ELLIPSIS;
  const room = max - 1;
  const tailMax = room - Math.max(1, Math.floor(room / 4));
  let tail = 0;
  for (let i = n - tailMax; i < n; i++) {
    if (i > 0 && SEPARATORS.includes(chars[i - 1]!)) {
      tail = n - i;
      break;
    }
  }
  if (tail < Math.ceil(room * 0.4)) tail = Math.min(tailMax, Math.round(room * 0.6));
  return chars.slice(0, room - tail).join('') + ELLIPSIS + chars.slice(n - tail).join('');
}
