import { EXPORT_SECTIONS, exportLine, keyOf, pageQuery, type ExportSection } from './export-sections';

const deliveries: ExportSection = {
  kind: 'delivery',
  table: 'campaign_deliveries',
  columns: 'campaign_id, contact_id, state',
  key: ['campaign_id', 'contact_id'],
};

describe('tenant export sections', () => {
  it('GET /v1/export: the first page starts at the beginning of the tenant’s rows, in key order', () => {
    expect(pageQuery(deliveries, 'T', null, 500)).toEqual({
      sql: 'SELECT campaign_id, contact_id, state FROM campaign_deliveries WHERE tenant_id = $1 ORDER BY campaign_id, contact_id LIMIT $2',
      params: ['T', 500],
    });
  });

  it('GET /v1/export: each next page starts after the last key (keyset paging, never OFFSET)', () => {
    const last = { campaign_id: 'c1', contact_id: 'p9', state: 'sent' };
    expect(pageQuery(deliveries, 'T', keyOf(deliveries, last), 500)).toEqual({
      sql:
        'SELECT campaign_id, contact_id, state FROM campaign_deliveries WHERE tenant_id = $1 AND ' +
        '(campaign_id, contact_id) > ($2, $3) ORDER BY campaign_id, contact_id LIMIT $4',
      params: ['T', 'c1', 'p9', 500],
    });
  });

  it('R-D1: every kind the tenant holds is exported; no section shows tenant_id, hides the line kind or lacks its key', () => {
    expect(new Set(EXPORT_SECTIONS.map((s) => s.kind))).toEqual(
      new Set([
        'contact',
        'consent',
        'suppression',
        'campaign',
        'delivery',
        'engagement-event',
        'engagement',
        'opt-out',
        'import',
        'privacy-request',
        'notice',
        'webhook',
      ]),
    );
    for (const section of EXPORT_SECTIONS) {
      expect(section.columns).not.toMatch(/tenant_id/);
      const shown = section.columns.split(',').map((c) =>
        c
          .trim()
          .split(/\s+AS\s+/i)
          .pop()!
          .trim(),
      );
      for (const key of section.key) expect(shown).toContain(key);
      expect(shown).not.toContain('kind');
    }
  });

  it('GET /v1/export: a line is one JSON object with its kind, in the API’s field names', () => {
    const line = exportLine('contact', { tenant_id: 'T', id: 'c', first_name: 'Ann', created_at: new Date(0) });
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      kind: 'contact',
      id: 'c',
      firstName: 'Ann',
      createdAt: '1970-01-01T00:00:00.000Z',
    });
  });
});
