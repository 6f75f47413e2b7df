import type { SendingDomainView } from '../sending-domain.service';

/** API.md: `{domain, status, records: [{type, name, value}]}`, with verifiedAt and, after a verification, problems. */
export function sendingDomainResponse(view: SendingDomainView) {
  return {
    domain: view.row.domain,
    status: view.row.status,
    verifiedAt: view.row.verified_at,
    records: view.records.map(({ type, name, value }) => ({ type, name, value })),
    ...(view.problems ? { problems: view.problems } : {}),
  };
}
