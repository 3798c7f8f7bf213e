// The channel form as data: fields from the channel kind's config schema (lib/json-schema-form.ts),
// secrets write-only — never filled in, shown as "set" / "not set", left out of an update unless typed
// again — and what an update did to the stored secrets. Pure.
import type { Channel, ChannelInput, ChannelType } from '../types/alerts';
import { buildConfig, formFields, initialValues, type FormField } from './json-schema-form';

export interface SecretState {
  key: string;
  label: string;
  set: boolean;
}

export const isSecretField = (f: FormField): boolean => f.widget === 'password';

/** A yes/no field the schema gives no default for and the channel has no value for: unless the user
 * ticks it either way, it is left out so the server's own default applies (e-mail's `starttls`: on). */
const serverDefaulted = (f: FormField, channel?: Channel | null): boolean =>
  f.widget === 'checkbox' && f.schema.default === undefined && !(channel && f.key in channel.config);

/** The kind's config fields; when editing a channel whose secret is stored, that secret is optional
 * (left empty it keeps its value). */
export function channelFields(type: ChannelType, channel?: Channel | null): FormField[] {
  const stored = new Set(channel?.secretsSet ?? []);
  return formFields(type.configSchema, type.secretFields).map((f) => {
    if (isSecretField(f) && stored.has(f.key)) return { ...f, required: false };
    if (serverDefaulted(f, channel)) return { ...f, description: `${f.description ? `${f.description}. ` : ''}Left untouched, the server's default applies.` };
    return f;
  });
}

/** Each secret field of the kind and whether the channel has a value stored for it. */
export function secretStates(type: ChannelType, channel?: Channel | null): SecretState[] {
  const stored = new Set(channel?.secretsSet ?? []);
  return formFields(type.configSchema, type.secretFields).filter(isSecretField).map((f) => ({ key: f.key, label: f.label, set: stored.has(f.key) }));
}

export interface ChannelDraft {
  name: string;
  owners: string;
  enabled: boolean;
  rateLimitPerMinute: string;
  values: Record<string, string | boolean>;
  /** Config fields the user changed. */
  touched: string[];
}

/** The form's starting values: the stored (non-secret) config; secret inputs always start empty. */
export function channelDraft(type: ChannelType, channel?: Channel | null): ChannelDraft {
  const fields = channelFields(type, channel);
  const values = initialValues(fields, channel?.config ?? {});
  for (const f of fields) if (isSecretField(f)) values[f.key] = '';
  return {
    name: channel?.name ?? '',
    owners: (channel?.owners ?? []).join('\n'),
    enabled: channel?.enabled ?? true,
    rateLimitPerMinute: String(channel?.rateLimitPerMinute ?? 30),
    values,
    touched: [],
  };
}

export interface ChannelBuild {
  input: ChannelInput | null;
  errors: Record<string, string>;
}

export const splitList = (text: string): string[] => text.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);

/** The body of POST /channels (with `kind`) or PATCH /channels/{id} (without): secrets left empty are
 * left out, so the stored ones are kept. */
export function buildChannelInput(type: ChannelType, draft: ChannelDraft, channel?: Channel | null): ChannelBuild {
  const fields = channelFields(type, channel);
  const { config, errors } = buildConfig(fields, draft.values);
  for (const f of fields) if (serverDefaulted(f, channel) && !draft.touched.includes(f.key)) delete config[f.key];
  const out: Record<string, string> = { ...errors };
  if (!draft.name.trim()) out.name = 'Name is required';
  const rate = Number(draft.rateLimitPerMinute);
  if (!Number.isInteger(rate) || rate < 1 || rate > 10_000) out.rateLimitPerMinute = 'A whole number from 1 to 10000';
  if (Object.keys(out).length > 0) return { input: null, errors: out };
  return {
    input: {
      name: draft.name.trim(), ...(channel ? {} : { kind: type.kind }), config, owners: splitList(draft.owners),
      enabled: draft.enabled, rateLimitPerMinute: rate,
    },
    errors: {},
  };
}

/** Secrets stored before an update, not sent again, and gone after it: the update changed where the
 * channel points, so the server dropped them (they must be entered again). */
export function droppedSecrets(before: Channel, after: Channel, sent: ChannelInput): string[] {
  const now = new Set(after.secretsSet);
  return before.secretsSet.filter((k) => !now.has(k) && !(k in sent.config));
}

/** "Delivered (HTTP 200)", "Failed: webhook answered HTTP 500 (HTTP 500)". */
export function testResultText(result: { ok: boolean; message: string; responseStatus: number | null }): string {
  const status = result.responseStatus !== null ? ` (HTTP ${result.responseStatus})` : '';
  return result.ok ? `Delivered${status}` : `Failed: ${result.message}${status && !result.message.includes(`HTTP ${result.responseStatus}`) ? status : ''}`;
}
