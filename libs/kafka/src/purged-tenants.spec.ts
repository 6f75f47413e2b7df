import { droppedForPurgedTenant } from './purged-tenants';

describe('R-P6: which events of a purged tenant are dropped', () => {
  it('drops data events (hits, contact changes, opt-outs, deliveries)', () => {
    for (const type of ['tracking.hit', 'contact.changed', 'unsubscribe.recorded', 'delivery.recorded']) {
      expect([type, droppedForPurgedTenant(type)]).toEqual([type, true]);
    }
  });

  it('delivers the tenant’s own lifecycle events, the purge’s among them', () => {
    for (const type of ['tenant.changed', 'tenant.api-key-revoked', 'tenant.notice-issued']) {
      expect([type, droppedForPurgedTenant(type)]).toEqual([type, false]);
    }
  });
});
