import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { topicName, type EventEnvelope, type Region } from '@missive/contracts';
import type { KafkaConnection } from '@missive/kafka';
import { LinkTokenSigner, type LinkTokenClaims } from '@missive/tokens';

/** Two keys as LINK_TOKEN_KEYS lists them: `k2` signs, `k1` (the previous one) still verifies (R-K1 rotation). */
export const CURRENT_KEY = { kid: 'k2', secret: `current-${randomBytes(24).toString('hex')}` };
export const PREVIOUS_KEY = { kid: 'k1', secret: `previous-${randomBytes(24).toString('hex')}` };
export const LINK_TOKEN_KEYS = `${CURRENT_KEY.kid}:${CURRENT_KEY.secret},${PREVIOUS_KEY.kid}:${PREVIOUS_KEY.secret}`;

export const signer = new LinkTokenSigner([CURRENT_KEY]);
export const previousSigner = new LinkTokenSigner([PREVIOUS_KEY]);

export const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

export function openToken(tenantId: string, campaignId: string, contactId: string, region: Region = 'NA'): string {
  return signer.mint({ kind: 'open', tenantId, region, campaignId, contactId });
}

export function clickToken(
  tenantId: string,
  campaignId: string,
  contactId: string,
  linkIndex: number,
  region: Region = 'NA',
): string {
  return signer.mint({ kind: 'click', tenantId, region, campaignId, contactId, linkIndex });
}

export function mintWith(keys: { kid: string; secret: string }[], claims: LinkTokenClaims): string {
  return new LinkTokenSigner(keys).mint(claims);
}

/** Sends envelopes straight to a region's topic, as another service's relay would (or as a redelivery). */
export async function produce(
  connection: KafkaConnection,
  region: Region,
  event: string,
  envelopes: EventEnvelope[],
  key: (e: EventEnvelope) => string = (e) => e.tenantId ?? e.id,
): Promise<void> {
  const producer = new Kafka({ clientId: 'tracking-test', ...connection, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({
      topic: topicName(region, event),
      messages: envelopes.map((e) => ({ key: key(e), value: JSON.stringify(e) })),
    });
  } finally {
    await producer.disconnect();
  }
}

export function envelope<T>(type: string, tenantId: string, data: T, region: Region = 'NA'): EventEnvelope<T> {
  return { id: randomUUID(), type, version: 1, tenantId, region, occurredAt: new Date().toISOString(), data };
}
