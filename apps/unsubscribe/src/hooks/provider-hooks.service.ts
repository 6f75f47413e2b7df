import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { DomainError, NotFoundError } from '@missive/http';
import { Metrics, type Logger } from '@missive/observability';
import { Clock, LOGGER } from '@missive/platform';
import { RedisClients } from '@missive/redis';
import { tokenFromBounceAddress, tokenFromMessageId } from '@missive/tokens';
import { BounceMailService, type BounceClaims } from '../inbound/bounce-mail.service';
import { mailgunSignatureOf, MAILGUN_MAX_SKEW_SECONDS, verifyMailgunSignature } from './mailgun-signature';
import { postmarkAuthorized } from './postmark-auth';
import {
  mailgunEvents,
  postmarkEvents,
  sendgridEvents,
  sesEvents,
  type ProviderEvents,
  type ProviderFinding,
} from './provider-events';
import { sendgridPublicKey, verifySendgridSignature } from './sendgrid-signature';
import { parseSnsMessage, signingCertUrlAllowed, verifySnsSignature, type SnsMessage } from './sns-signature';

export type Provider = 'ses' | 'sendgrid' | 'postmark' | 'mailgun';

/** What a webhook request came to; the answer's body. */
export interface HookResult {
  recorded: number;
  unattributed: number;
  ignored: number;
}

const BARE_TOKEN = /^[A-Za-z0-9_-]{16,200}$/;
const CERT_FETCH_TIMEOUT_MS = 5000;
const MAX_CERT_BYTES = 16 * 1024;

export class BadSignatureError extends DomainError {
  constructor(provider: Provider) {
    super('unauthorized', `The ${provider} webhook signature is not valid`, 401);
  }
}

/**
 * Provider webhooks (R-S8): each request's signature is checked with that provider's scheme, then every bounce or
 * complaint whose message carries our signed bounce token (echoed Message-ID, envelope sender or custom argument)
 * is recorded through the same path as DSNs (BounceMailService). Events without our token are counted and
 * acknowledged: the provider would otherwise retry them for days, and nothing could ever attribute them.
 */
@Injectable()
export class ProviderHooksService {
  private readonly settings: MissiveConfig['providerHooks'];
  private readonly sendgridKey: KeyObject | null;
  private readonly trustedCerts: X509Certificate[] | null;
  /** Certificates fetched from SNS's own hosts, by URL (only without a configured trusted set). */
  private readonly fetchedCerts = new Map<string, Promise<X509Certificate>>();

  constructor(
    private readonly config: MissiveConfig,
    private readonly bounceMail: BounceMailService,
    private readonly redis: RedisClients,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.settings = config.providerHooks;
    this.sendgridKey = this.settings.sendgridPublicKey ? sendgridPublicKey(this.settings.sendgridPublicKey) : null;
    this.trustedCerts = this.settings.ses?.trustedCerts?.map((pem) => new X509Certificate(pem)) ?? null;
  }

  async ses(raw: Buffer): Promise<HookResult> {
    const ses = this.settings.ses;
    if (!ses) throw new NotFoundError('Webhook');
    const message = parseSnsMessage(raw.toString('utf8'));
    // A signature only proves SNS sent it: anyone can have SNS sign for a topic of their own.
    if (!message || !ses.topicArns.includes(message.TopicArn) || !(await this.snsGenuine(message)))
      return this.reject('ses');
    if (message.Type === 'SubscriptionConfirmation') {
      // Confirming is an operator's step (visit the URL once); fetching it from here would follow any URL SNS sends.
      this.logger.warn(
        { topicArn: message.TopicArn, subscribeUrl: message.SubscribeURL },
        'SNS subscription confirmation received for /hooks/ses: visit SubscribeURL to confirm',
      );
      this.metrics.providerHookEvents.inc({ provider: 'ses', result: 'subscription' });
      return { recorded: 0, unattributed: 0, ignored: 1 };
    }
    if (message.Type === 'UnsubscribeConfirmation') {
      this.logger.warn({ topicArn: message.TopicArn }, 'SNS unsubscribe confirmation received for /hooks/ses');
      this.metrics.providerHookEvents.inc({ provider: 'ses', result: 'subscription' });
      return { recorded: 0, unattributed: 0, ignored: 1 };
    }
    return this.take('ses', sesEvents(message.Message, this.clock.now()));
  }

  async sendgrid(raw: Buffer, signature: string | undefined, timestamp: string | undefined): Promise<HookResult> {
    if (!this.sendgridKey) throw new NotFoundError('Webhook');
    if (!verifySendgridSignature(this.sendgridKey, raw, signature, timestamp)) return this.reject('sendgrid');
    return this.take('sendgrid', sendgridEvents(parseJson(raw), this.clock.now()));
  }

  async postmark(authorization: string | undefined, raw: Buffer): Promise<HookResult> {
    const expected = this.settings.postmark;
    if (!expected) throw new NotFoundError('Webhook');
    if (!postmarkAuthorized(authorization, expected)) return this.reject('postmark');
    return this.take('postmark', postmarkEvents(parseJson(raw), this.clock.now()));
  }

  async mailgun(raw: Buffer): Promise<HookResult> {
    const key = this.settings.mailgunSigningKey;
    if (!key) throw new NotFoundError('Webhook');
    const body = parseJson(raw);
    const signature = mailgunSignatureOf(body);
    const now = this.clock.now();
    if (!signature || verifyMailgunSignature(key, signature, Math.floor(now.getTime() / 1000)) !== 'valid')
      return this.reject('mailgun');
    // Each token is taken once (shared by all replicas) while its timestamp is within the window; freed again when
    // storing fails, so Mailgun's retry of the same request is not refused as a replay.
    const redis = this.redis.forRegion(this.config.regions[0]);
    const seen = `hooks:mailgun:token:${createHash('sha256').update(signature.token).digest('hex')}`;
    if ((await redis.set(seen, '1', 'EX', 2 * MAILGUN_MAX_SKEW_SECONDS, 'NX')) === null) return this.reject('mailgun');
    try {
      return await this.take('mailgun', mailgunEvents(body, now));
    } catch (error) {
      await redis.del(seen).catch(() => undefined);
      throw error;
    }
  }

  private reject(provider: Provider): never {
    this.metrics.providerHookEvents.inc({ provider, result: 'rejected' });
    throw new BadSignatureError(provider);
  }

  /** Records the attributable findings (one commit per message's contact); resolves once all are durable. */
  private async take(provider: Provider, events: ProviderEvents): Promise<HookResult> {
    const result: HookResult = { recorded: 0, unattributed: 0, ignored: events.ignored };
    const byMessage = new Map<string, { claims: BounceClaims; findings: ProviderFinding[] }>();
    for (const finding of events.findings) {
      const claims = this.attribute(finding.references);
      if (!claims) {
        result.unattributed++;
        continue;
      }
      const key = `${claims.tenantId}:${claims.contactId}:${claims.campaignId}`;
      const group = byMessage.get(key) ?? { claims, findings: [] };
      group.findings.push(finding);
      byMessage.set(key, group);
    }
    await Promise.all(
      [...byMessage.values()].map(async ({ claims, findings }) => {
        const stored = await this.bounceMail.recordFor(claims, provider, findings);
        // A purged or unknown tenant: acknowledged, nothing kept (R-P6).
        if (stored) result.recorded += findings.length;
        else result.unattributed += findings.length;
      }),
    );
    const count = (what: keyof HookResult) => {
      if (result[what] > 0) this.metrics.providerHookEvents.inc({ provider, result: what }, result[what]);
    };
    count('recorded');
    count('unattributed');
    count('ignored');
    return result;
  }

  /** The first reference that carries a genuine bounce token of ours, as its claims. */
  private attribute(references: string[]): BounceClaims | null {
    for (const reference of references) {
      const token =
        tokenFromMessageId(reference) ??
        tokenFromBounceAddress(reference) ??
        (BARE_TOKEN.test(reference) ? reference : null);
      const claims = token ? this.bounceMail.verify(token) : null;
      if (claims) return claims;
    }
    return null;
  }

  /** With a trusted set: one of its certificates must verify (nothing fetched). Else the URL's, from SNS's host. */
  private async snsGenuine(message: SnsMessage): Promise<boolean> {
    const now = this.clock.now();
    if (!signingCertUrlAllowed(message.SigningCertURL, this.trustedCerts !== null)) return false;
    if (this.trustedCerts) return this.trustedCerts.some((cert) => verifySnsSignature(message, cert, now));
    const cert = await this.fetchCert(message.SigningCertURL).catch(() => null);
    return cert !== null && verifySnsSignature(message, cert, now);
  }

  private fetchCert(url: string): Promise<X509Certificate> {
    let pending = this.fetchedCerts.get(url);
    if (!pending) {
      pending = (async () => {
        const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(CERT_FETCH_TIMEOUT_MS) });
        const text = await response.text();
        if (!response.ok || text.length > MAX_CERT_BYTES) throw new Error(`SNS certificate not fetched: ${url}`);
        return new X509Certificate(text);
      })();
      pending.catch(() => this.fetchedCerts.delete(url));
      this.fetchedCerts.set(url, pending);
    }
    return pending;
  }
}

/** The body as JSON; anything unparsable is no event (the signature, checked first, already held). */
function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}
