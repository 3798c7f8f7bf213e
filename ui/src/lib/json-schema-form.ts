// A form model generated from a node type's JSON Schema (configSchema): one field per property, with
// widget, label, default and validation. Only the common subset is supported (string, number,
// integer, boolean, enum, nested objects flattened one level as dotted keys, arrays of strings);
// anything else becomes a JSON text field.
import type { JsonSchema } from '../types/api';

export type Widget = 'text' | 'password' | 'textarea' | 'number' | 'checkbox' | 'select' | 'list' | 'json';

export interface FormField {
  key: string;
  label: string;
  description?: string;
  widget: Widget;
  required: boolean;
  options?: string[];
  schema: JsonSchema;
}

const typeOf = (schema: JsonSchema): string | undefined => (Array.isArray(schema.type)
  ? schema.type.find((t) => t !== 'null') : schema.type);

export function humanize(key: string): string {
  const last = key.split('.').pop() ?? key;
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const norm = (s: string) => s.replace(/[_\-.]/g, '').toLowerCase();

/** Secret fields match by key or name, ignoring case and `_`/`-` (`secret_access_key` = `secretAccessKey`). */
function isSecret(secretFields: readonly string[], key: string, name: string): boolean {
  return secretFields.some((s) => norm(s) === norm(key) || norm(s) === norm(name));
}

export function formFields(schema: JsonSchema, secretFields: readonly string[] = [], prefix = ''): FormField[] {
  const required = new Set(schema.required ?? []);
  const fields: FormField[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    const type = typeOf(prop);
    const base = { key, label: prop.title ?? humanize(name), required: required.has(name), schema: prop,
      ...(prop.description ? { description: prop.description } : {}) };
    if (type === 'object' && prop.properties && !prefix) {
      fields.push(...formFields(prop, secretFields, key).map((f) => ({ ...f, required: f.required && required.has(name) })));
    } else if (prop.enum) {
      fields.push({ ...base, widget: 'select', options: prop.enum.map(String) });
    } else if (type === 'boolean') {
      fields.push({ ...base, widget: 'checkbox' });
    } else if (type === 'integer' || type === 'number') {
      fields.push({ ...base, widget: 'number' });
    } else if (type === 'string') {
      const secret = isSecret(secretFields, key, name) || prop.format === 'password' || prop.writeOnly === true;
      const long = (prop.maxLength ?? 0) > 200 || prop.format === 'textarea';
      fields.push({ ...base, widget: secret ? 'password' : long ? 'textarea' : 'text' });
    } else if (type === 'array' && prop.items && typeOf(prop.items) === 'string') {
      fields.push({ ...base, widget: 'list' });
    } else {
      fields.push({ ...base, widget: 'json' });
    }
  }
  return fields;
}

function getPath(obj: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    cur = (next && typeof next === 'object' ? next : (cur[part] = {})) as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Form values (strings/booleans as the inputs hold them) from a config object, schema defaults
 * filling the gaps. */
export function initialValues(fields: readonly FormField[], config: Record<string, unknown>): Record<string, string | boolean> {
  const values: Record<string, string | boolean> = {};
  for (const f of fields) {
    const raw = getPath(config, f.key) ?? f.schema.default;
    if (f.widget === 'checkbox') values[f.key] = raw === true;
    else if (f.widget === 'list') values[f.key] = Array.isArray(raw) ? raw.join('\n') : '';
    else if (f.widget === 'json') values[f.key] = raw === undefined ? '' : JSON.stringify(raw, null, 2);
    else values[f.key] = raw === undefined || raw === null ? '' : String(raw);
  }
  return values;
}

export interface FormResult {
  config: Record<string, unknown>;
  errors: Record<string, string>;
}

/** Form values → config object, validated against the schema subset. Empty optional fields are left
 * out (so secrets not re-entered are not overwritten with ""). */
export function buildConfig(fields: readonly FormField[], values: Readonly<Record<string, string | boolean>>): FormResult {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = values[f.key];
    if (f.widget === 'checkbox') {
      setPath(config, f.key, raw === true);
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') {
      if (f.required) errors[f.key] = `${f.label} is required`;
      continue;
    }
    const s = f.schema;
    if (f.widget === 'number') {
      const n = Number(text);
      if (!Number.isFinite(n) || (typeOf(s) === 'integer' && !Number.isInteger(n))) {
        errors[f.key] = typeOf(s) === 'integer' ? `${f.label} must be a whole number` : `${f.label} must be a number`;
      } else if (s.minimum !== undefined && n < s.minimum) errors[f.key] = `${f.label} must be at least ${s.minimum}`;
      else if (s.maximum !== undefined && n > s.maximum) errors[f.key] = `${f.label} must be at most ${s.maximum}`;
      else setPath(config, f.key, n);
    } else if (f.widget === 'list') {
      setPath(config, f.key, text.split(/[\n,]/).map((x) => x.trim()).filter(Boolean));
    } else if (f.widget === 'json') {
      try {
        setPath(config, f.key, JSON.parse(text));
      } catch {
        errors[f.key] = `${f.label} must be valid JSON`;
      }
    } else {
      if (s.minLength !== undefined && text.length < s.minLength) errors[f.key] = `${f.label} must have at least ${s.minLength} characters`;
      else if (s.maxLength !== undefined && text.length > s.maxLength) errors[f.key] = `${f.label} must have at most ${s.maxLength} characters`;
      else if (s.pattern && !new RegExp(s.pattern).test(text)) errors[f.key] = `${f.label} does not match ${s.pattern}`;
      else if (s.format === 'uri' && !/^[a-z][a-z0-9+.-]*:/i.test(text)) errors[f.key] = `${f.label} must be a URL`;
      else setPath(config, f.key, text);
    }
  }
  return { config, errors };
}
