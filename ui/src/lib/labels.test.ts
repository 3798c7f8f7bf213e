import { describe, expect, it } from 'vitest';
import { LABEL_CHARS, middleEllipsis } from './labels';

describe('middleEllipsis', () => {
  it('leaves names that fit alone', () => {
    expect(middleEllipsis('orders')).toBe('orders');
    expect(middleEllipsis('x'.repeat(LABEL_CHARS))).toBe('x'.repeat(LABEL_CHARS));
  });

  it('keeps the distinctive tail of dotted names whole', () => {
    expect(middleEllipsis('warehouse.sales.orders_2024_q3', 24)).toBe('warehouse…orders_2024_q3');
    expect(middleEllipsis('warehouse.sales.orders_2024_q4', 24)).toBe('warehouse…orders_2024_q4');
  });

  it('tells apart names that differ only at the end', () => {
    const names = ['analytics.marketing.campaign_daily_rollup_v1', 'analytics.marketing.campaign_daily_rollup_v2'];
    const labels = names.map((n) => middleEllipsis(n, 24));
    expect(new Set(labels).size).toBe(2);
    for (const label of labels) expect(Array.from(label)).toHaveLength(24);
  });

  it('keeps a quarter of the room for the start of the name', () => {
    const label = middleEllipsis('db.a_really_long_table_name_for_the_orders_fact_2024', 24);
    expect(label.indexOf('…')).toBeGreaterThanOrEqual(5);
    expect(label.endsWith('fact_2024')).toBe(true);
  });

  it('cuts names without separators at 60 % tail', () => {
    const label = middleEllipsis('abcdefghijklmnopqrstuvwxyz0123456789', 21);
    expect(label).toBe('abcdefgh…yz0123456789');
    expect(Array.from(middleEllipsis('abcdefghijklmnopqrstuvwxyz0123456789', 21))).toHaveLength(21);
  });

  it('counts characters, not UTF-16 units, and survives tiny budgets', () => {
    expect(Array.from(middleEllipsis('ünïcødé_tåble_with_ëmoji_🚀_2024', 12))).toHaveLength(12);
    expect(middleEllipsis('abcdef', 1)).toBe('…');
  });
});
