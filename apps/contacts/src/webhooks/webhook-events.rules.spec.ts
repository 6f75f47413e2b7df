import type { EventEnvelope } from '@missive/contracts';
import {
  attemptsFor,
  delivered,
  eventsProblem,
  normaliseEvents,
  RETRY_WINDOW_MS,
  retryDelayMs,
  webhookMessageOf,
} from './webhook-events.rules';

function envelope(type: string, data: unknown, version = 1): EventEnvelope {
  return { id: 'e1', type, version, tenantId: 't1', region: 'NA', occurredAt: '2026-12-07T10:00:00.000Z', data };
}

describe('R-X7: webhook events', () => {
  it('R-X7: each fact maps to its webhook event, ids only', () => {
    expect(
      webhookMessageOf(
        envelope('unsubscribe.recorded', { contactId: 'c1', campaignId: null, lists: null, source: 'one-click' }),
      ),
    ).toEqual({
      type: 'contact.unsubscribed',
      timestamp: '2026-12-07T10:00:00.000Z',
      data: { contactId: 'c1', campaignId: null, lists: null, source: 'one-click' },
    });
    const delivery = { contactId: 'c1', campaignId: 'k1', source: 'dsn', status: '5.1.1', at: 'x' };
    expect(webhookMessageOf(envelope('delivery.recorded', { ...delivery, outcome: 'hard-bounce' }))?.data).toEqual({
      contactId: 'c1',
      campaignId: 'k1',
      status: '5.1.1',
      at: 'x',
      bounce: 'hard',
    });
    expect(webhookMessageOf(envelope('delivery.recorded', { ...delivery, outcome: 'soft-bounce' }))?.type).toBe(
      'contact.bounced',
    );
    expect(webhookMessageOf(envelope('delivery.recorded', { ...delivery, outcome: 'complaint' }))?.type).toBe(
      'contact.complained',
    );
    expect(webhookMessageOf(envelope('import.finished', { importId: 'i1', status: 'done' }))).toMatchObject({
      type: 'import.finished',
      data: { importId: 'i1', status: 'done' },
    });
    expect(webhookMessageOf(envelope('campaign.finished', { campaignId: 'k1', status: 'sent' }))?.type).toBe(
      'campaign.finished',
    );
    expect(
      webhookMessageOf(envelope('privacy.request-referred', { requestId: 'r1', type: 'erasure', receivedAt: 'x' })),
    ).toMatchObject({ type: 'privacy_request.received', data: { requestId: 'r1', source: 'support' } });
  });

  it('R-X7: other versions, malformed data and unknown events tell nothing', () => {
    expect(webhookMessageOf(envelope('unsubscribe.recorded', { contactId: 'c1' }, 2))).toBeNull();
    expect(webhookMessageOf(envelope('unsubscribe.recorded', null))).toBeNull();
    expect(webhookMessageOf(envelope('unsubscribe.recorded', { contactId: 7 }))).toBeNull();
    expect(webhookMessageOf(envelope('delivery.recorded', { contactId: 'c1', outcome: 'delivered' }))).toBeNull();
    expect(webhookMessageOf(envelope('contact.changed', { contactId: 'c1' }))).toBeNull();
  });

  it('R-X7: event lists are checked and normalised', () => {
    expect(eventsProblem(['contact.unsubscribed', 'import.finished'])).toBeNull();
    expect(eventsProblem([])).not.toBeNull();
    expect(eventsProblem('contact.unsubscribed')).not.toBeNull();
    expect(eventsProblem(['contact.exploded'])).toMatch(/unknown event/);
    expect(eventsProblem([1])).toMatch(/unknown event/);
    expect(eventsProblem(Array(40).fill('import.finished'))).not.toBeNull();
    expect(normaliseEvents(['import.finished', 'contact.unsubscribed', 'import.finished'])).toEqual([
      'contact.unsubscribed',
      'import.finished',
    ]);
  });

  it('R-X7: retries back off exponentially and span 24 hours', () => {
    expect(retryDelayMs(1)).toBe(2000);
    expect(retryDelayMs(2)).toBe(4000);
    expect(retryDelayMs(3)).toBe(8000);
    expect(retryDelayMs(30)).toBe(2 * 3600 * 1000);
    const attempts = attemptsFor();
    let total = 0;
    for (let r = 1; r < attempts; r++) total += retryDelayMs(r);
    expect(total).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(total - retryDelayMs(attempts - 1)).toBeLessThan(RETRY_WINDOW_MS);
    expect(attempts).toBeLessThan(40);
  });

  it('R-X7: 2xx is delivered, anything else is not', () => {
    expect([200, 201, 204, 299].every(delivered)).toBe(true);
    expect([199, 301, 400, 410, 500].some(delivered)).toBe(false);
  });
});
