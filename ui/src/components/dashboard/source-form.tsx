// Create a source from a node type: a form generated from the type's JSON Schema, prefilled with
// its default config; secret fields are password inputs and never shown back.
import { useMemo, useState, type FormEvent } from 'react';
import { createSource } from '../../api/sources';
import { errorMessage } from '../../api/client';
import type { NodeType, Source } from '../../types/api';
import { buildConfig, formFields, initialValues, type FormField } from '../../lib/json-schema-form';
import { Modal } from '../common/modal';
import { KindIcon } from '../nodes/kind-icon';

export function Input({ field, value, onChange, error }: { field: FormField; value: string | boolean; onChange(v: string | boolean): void; error?: string | undefined }) {
  const id = `cfg-${field.key}`;
  const describedBy = [field.description ? `${id}-help` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, name: field.key, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy, required: field.required };
  let control;
  switch (field.widget) {
    case 'checkbox':
      return (
        <div className="form-row form-row-check">
          <label htmlFor={id}><input type="checkbox" {...common} required={false} checked={value === true} onChange={(e) => onChange(e.target.checked)} /> {field.label}</label>
          {field.description ? <p className="help" id={`${id}-help`}>{field.description}</p> : null}
        </div>
      );
    case 'select':
      control = (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          {!field.required ? <option value="">—</option> : null}
          {field.options?.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      );
      break;
    case 'textarea':
    case 'json':
    case 'list':
      control = <textarea {...common} rows={field.widget === 'json' ? 5 : 3} value={String(value)} onChange={(e) => onChange(e.target.value)}
                          placeholder={field.widget === 'list' ? 'one per line' : field.widget === 'json' ? '{ }' : undefined} />;
      break;
    default:
      control = <input {...common} type={field.widget === 'password' ? 'password' : field.widget === 'number' ? 'number' : 'text'}
                       autoComplete={field.widget === 'password' ? 'new-password' : 'off'} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <div className="form-row">
      <label htmlFor={id}>{field.label}{field.required ? <span className="req" aria-hidden="true"> *</span> : null}</label>
      {control}
      {field.description ? <p className="help" id={`${id}-help`}>{field.description}</p> : null}
      {error ? <p className="error-text" id={`${id}-err`}>{error}</p> : null}
    </div>
  );
}

export function SourceForm({ nodeType, onCreated, onClose }: { nodeType: NodeType; onCreated(source: Source): void; onClose(): void }) {
  const fields = useMemo(() => formFields(nodeType.configSchema ?? {}, nodeType.secretFields ?? []), [nodeType]);
  const [values, setValues] = useState(() => initialValues(fields, nodeType.defaultConfig ?? {}));
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const result = buildConfig(fields, values);
    const errs = { ...result.errors };
    if (!name.trim()) errs.__name = 'Name is required';
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    setBusy(true);
    setServerError(null);
    try {
      onCreated(await createSource({ kind: nodeType.kind, name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}), config: result.config }));
    } catch (err) {
      setServerError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={`New ${nodeType.label} source`} open onClose={onClose} wide
           footer={<>
             <button type="button" className="btn" onClick={onClose}>Cancel</button>
             <button type="submit" form="source-form" className="btn btn-primary" disabled={busy}>{busy ? 'Creating…' : 'Create source'}</button>
           </>}>
      <form id="source-form" className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="source-form">
        <div className="form-intro"><span className="palette-icon"><KindIcon kind="source" icon={nodeType.icon} size={20} /></span><span className="muted">{nodeType.category} · {nodeType.kind}</span></div>
        <div className="form-row">
          <label htmlFor="source-name">Name<span className="req" aria-hidden="true"> *</span></label>
          <input id="source-name" name="name" value={name} onChange={(e) => setName(e.target.value)} required aria-invalid={Boolean(errors.__name)} autoFocus />
          {errors.__name ? <p className="error-text">{errors.__name}</p> : null}
        </div>
        <div className="form-row">
          <label htmlFor="source-description">Description</label>
          <input id="source-description" name="description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        {fields.length > 0 ? <h3>Connection</h3> : null}
        {fields.map((f) => (
          <Input key={f.key} field={f} value={values[f.key] ?? ''} error={errors[f.key]}
                 onChange={(v) => setValues((prev) => ({ ...prev, [f.key]: v }))} />
        ))}
        {serverError ? <p className="error-text" role="alert">{serverError}</p> : null}
      </form>
    </Modal>
  );
}
