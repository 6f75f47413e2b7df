/**
 * The tables that carry `tenant_id` but are not under row-level security (R-T1), each with the reason. Every other
 * table with a `tenant_id` column, in the global directory and in each regional database, has RLS enabled and
 * forced (`tenantRlsSql`); libs/database/test/rls-catalogue.int-spec.ts reads the catalogues and fails on a table
 * that is neither, or on an entry here whose table no longer exists. Adding an entry is a reviewed decision.
 */
export const RLS_EXCEPTIONS: Readonly<Record<'global' | 'regional', Readonly<Record<string, string>>>> = {
  global: {
    api_keys:
      'looked up by key hash before the tenant is known (R-X1); holds hashes only, and the directory holds no contact personal data (R-T2)',
    audit_log:
      'one hash chain across every tenant and staff call (R-A3), so it cannot be split by tenant; the app may only SELECT and INSERT it (append-only)',
    tenant_purges:
      'purge certificates written and swept across tenants by the purge (R-P3, R-P6); ids, dates and counts only',
  },
  regional: {
    tenant_keys:
      "each tenant's data key wrapped under TENANT_KEY_MASTER, read by tenant id before any tenant context exists; deleting the row is the crypto-shredding step of the purge (R-P2); no personal data",
    purge_progress:
      "the purge's per-store counts (R-P3), touched only by the purge, which works across tenants' data by design; no personal data",
  },
};
