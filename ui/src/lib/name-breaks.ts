// Where a long dataset or job name may wrap: after its separators (`.`, `_`, `/`, `:`, `-`, `@`, `=`),
// never inside a word when a separator is near. The pieces are rendered with <wbr> between them
// (components/common/name-text.tsx) and CSS `overflow-wrap: anywhere` only breaks a piece that is
// longer than a whole line.

const SEPARATOR = /[._/:\-@=]/;

/** `name` cut after each run of separators: joining the pieces gives the name back. */
export function nameBreaks(name: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    current += ch;
    const next = name[i + 1];
    if (SEPARATOR.test(ch) && next !== undefined && !SEPARATOR.test(next)) {
      pieces.push(current);
      current = '';
    }
  }
  if (current) pieces.push(current);
  return pieces;
}
