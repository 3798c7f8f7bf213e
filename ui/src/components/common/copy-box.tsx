// A read-only value with a Copy button (a new API key). Selecting the text works too when the clipboard
// API is not available (plain http on another host).
import { useRef, useState } from 'react';

export function CopyBox({ value, label }: { value: string; label: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const copy = async () => {
    input.current?.select();
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('select');
    }
  };
  return (
    <div className="copy-box">
      <label htmlFor="copy-box-value" className="sr-only">{label}</label>
      <input id="copy-box-value" ref={input} className="mono" readOnly value={value} onFocus={(e) => e.currentTarget.select()} data-testid="copy-box-value" />
      <button type="button" className="btn btn-small" onClick={() => void copy()}>Copy</button>
      <span className="small muted" role="status">{copied === 'yes' ? 'Copied' : copied === 'select' ? 'Selected: press Ctrl+C to copy' : ''}</span>
    </div>
  );
}
