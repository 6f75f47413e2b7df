/**
 * R-C7, R-D2: SQL that is true when an address is on the tenant's suppression list, as the address itself or as
 * the keyed hash an erasure left of an opted-out person (which is all that stays of them). `tenant`, `email` and
 * `hash` are the query's placeholders (`$1`…). The one check for every writer of a contact: API upsert, PATCH,
 * rectification.
 */
export function onSuppressionListSql(tenant: string, email: string, hash: string): string {
  return `EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = ${tenant} AND (s.email = ${email} OR s.address_hash = ${hash}))`;
}
