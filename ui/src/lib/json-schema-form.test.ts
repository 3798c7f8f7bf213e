import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../types/api';
import { buildConfig, formFields, humanize, initialValues } from './json-schema-form';

const schema: JsonSchema = {
  type: 'object',
  required: ['host', 'port', 'password'],
  properties: {
    host: { type: 'string', title: 'Host' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 5432 },
    password: { type: 'string' },
    sslMode: { type: 'string', enum: ['disable', 'require'] },
    verify: { type: 'boolean', default: true },
    schemas: { type: 'array', items: { type: 'string' } },
    url: { type: 'string', format: 'uri' },
    options: { type: 'object', properties: { timeoutSeconds: { type: ['number', 'null'] } } },
    extra: { type: 'object' },
  },
};

describe('JSON Schema form', () => {
  const fields = formFields(schema, ['password']);

  it('maps properties to widgets', () => {
    const widgets = Object.fromEntries(fields.map((f) => [f.key, f.widget]));
    expect(widgets).toEqual({
      host: 'text', port: 'number', password: 'password', sslMode: 'select', verify: 'checkbox', schemas: 'list',
      url: 'text', 'options.timeoutSeconds': 'number', extra: 'json',
    });
    expect(fields.find((f) => f.key === 'sslMode')?.options).toEqual(['disable', 'require']);
    expect(fields.find((f) => f.key === 'port')?.required).toBe(true);
    expect(humanize('sslMode')).toBe('Ssl Mode');
  });

  it('matches secret fields regardless of case and separators', () => {
    const f = formFields({ type: 'object', properties: { secretAccessKey: { type: 'string' }, token: { type: 'string', writeOnly: true } } }, ['secret_access_key']);
    expect(f.map((x) => x.widget)).toEqual(['password', 'password']);
  });

  it('fills values from the config and schema defaults', () => {
    const values = initialValues(fields, { host: 'db', schemas: ['a', 'b'], options: { timeoutSeconds: 3 } });
    expect(values).toMatchObject({ host: 'db', port: '5432', verify: true, schemas: 'a\nb', 'options.timeoutSeconds': '3', password: '' });
  });

  it('builds a typed config and reports errors', () => {
    const ok = buildConfig(fields, { host: ' db ', port: '5433', password: 's3cret', verify: false, schemas: 'a, b', 'options.timeoutSeconds': '2.5', extra: '{"k":1}', url: '' });
    expect(ok.errors).toEqual({});
    expect(ok.config).toEqual({ host: 'db', port: 5433, password: 's3cret', verify: false, schemas: ['a', 'b'], options: { timeoutSeconds: 2.5 }, extra: { k: 1 } });
    const bad = buildConfig(fields, { host: '', port: '70000', password: 'x', extra: '{', url: 'nope' });
    expect(Object.keys(bad.errors).sort()).toEqual(['extra', 'host', 'port', 'url']);
    expect(buildConfig(fields, { host: 'h', port: '1.5', password: 'p' }).errors.port).toMatch(/whole number/);
  });
});
