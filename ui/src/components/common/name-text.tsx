// A dataset or job name that wraps after its separators, not in the middle of a word (lib/name-breaks.ts).
import { Fragment } from 'react';
import { nameBreaks } from '../../lib/name-breaks';

export function NameText({ name }: { name: string }) {
  const pieces = nameBreaks(name);
  return (
    <span className="name-text">
      {pieces.map((p, i) => <Fragment key={i}>{i > 0 ? <wbr /> : null}{p}</Fragment>)}
    </span>
  );
}
