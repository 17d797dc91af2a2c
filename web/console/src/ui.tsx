/** Small shared pieces: fields with the server's error beside them, notices, "Show as API call". */
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure } from './api.js';
import { curlCommand } from './curl.js';

let fieldCounter = 0;
/** A stable id per mounted field, for label/for and aria-describedby. */
export function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++fieldCounter}`);
  return id;
}

export interface FieldProps extends Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'onInput' | 'value' | 'name' | 'label'> {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  /** The failure of the last submit; shown here when it names this field. */
  failure?: unknown;
  hint?: string;
}

/** A labelled input; a 400 naming this field is shown under it (aria-invalid + described-by). */
export function Field({ label, name, value, onValue, failure, hint, ...rest }: FieldProps) {
  const id = useId(name);
  const error = failure instanceof ApiFailure && failure.field === name.toLowerCase() ? failure.message : null;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} name={name} value={value} onInput={(e) => onValue(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} aria-describedby={described} {...rest} />
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

export interface SelectProps {
  label: string;
  name: string;
  value: string;
  options: Array<string | [value: string, label: string]>;
  onValue: (value: string) => void;
  failure?: unknown;
}

export function Select({ label, name, value, options, onValue, failure }: SelectProps) {
  const id = useId(name);
  const error = failure instanceof ApiFailure && failure.field === name.toLowerCase() ? failure.message : null;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(e) => onValue(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {options.map((option) => {
          const [v, text] = typeof option === 'string' ? [option, option] : option;
          return <option value={v}>{text}</option>;
        })}
      </select>
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

/**
 * The outcome of a form: the server's message for a failure that no field
 * shows (or for every failure when `fields` is empty), a success note otherwise.
 */
export function Outcome({ failure, success, fields = [] }: { failure?: unknown; success?: ComponentChildren; fields?: string[] }) {
  if (failure) {
    if (failure instanceof ApiFailure && failure.field && fields.includes(failure.field)) return null;
    const text = failure instanceof Error ? failure.message : String(failure);
    return <p class="notice error" role="alert">{text}</p>;
  }
  if (success) return <div class="notice success" role="status">{success}</div>;
  return null;
}

/** The equivalent curl command of a form, folded away until asked for. */
export function ApiCall({ method, path, body, headers }: { method: string; path: string; body?: unknown; headers?: Record<string, string> }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="api-call" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Show as API call</summary>
      {open && <pre><code>{curlCommand(method, path, body, headers)}</code></pre>}
    </details>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const headingId = useId('section');
  return (
    <section class="card" aria-labelledby={headingId} id={id}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/** Copies text with the Clipboard API; says whether it worked. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'done' | 'failed'>('idle');
  return (
    <button
      type="button"
      class="secondary"
      onClick={() => navigator.clipboard.writeText(text).then(() => setState('done'), () => setState('failed'))}
    >
      {state === 'done' ? 'Copied' : state === 'failed' ? 'Copy failed: select and copy' : label}
    </button>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}
