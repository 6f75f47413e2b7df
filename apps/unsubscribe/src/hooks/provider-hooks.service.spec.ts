import { configWith } from '@missive/config';
import { NotFoundError } from '@missive/http';
import { Metrics } from '@missive/observability';
import { SystemClock } from '@missive/platform';
import type { RedisClients } from '@missive/redis';
import type { BounceMailService } from '../inbound/bounce-mail.service';
import { ProviderHooksService } from './provider-hooks.service';

describe('R-S8: a provider whose secret is unset', () => {
  it('R-S8: answers 404 on its route before reading anything', async () => {
    const config = configWith({
      SES_TOPIC_ARNS: '',
      SES_TRUSTED_CERTS: '',
      SENDGRID_WEBHOOK_PUBLIC_KEY: '',
      POSTMARK_WEBHOOK_USER: '',
      POSTMARK_WEBHOOK_PASSWORD: '',
      MAILGUN_WEBHOOK_SIGNING_KEY: '',
    });
    const noLogger = { warn: () => undefined } as never;
    const hooks = new ProviderHooksService(
      config,
      null as unknown as BounceMailService,
      null as unknown as RedisClients,
      new Metrics(),
      new SystemClock(),
      noLogger,
    );
    const body = Buffer.from('{}');
    await expect(hooks.ses(body)).rejects.toBeInstanceOf(NotFoundError);
    await expect(hooks.sendgrid(body, 'sig', '1')).rejects.toBeInstanceOf(NotFoundError);
    await expect(hooks.postmark('Basic eDp5', body)).rejects.toBeInstanceOf(NotFoundError);
    await expect(hooks.mailgun(body)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('R-S8: half a Postmark credential, or trusted SNS certificates without topics, is a configuration error', () => {
    expect(() => configWith({ POSTMARK_WEBHOOK_USER: 'u' })).toThrow(
      /POSTMARK_WEBHOOK_USER and POSTMARK_WEBHOOK_PASSWORD/,
    );
    expect(() => configWith({ SES_TRUSTED_CERTS: '/nope/certs.pem' })).toThrow(/SES_TRUSTED_CERTS cannot be read/);
    expect(() => configWith({ SES_TOPIC_ARNS: 'not-an-arn' })).toThrow(/SES_TOPIC_ARNS/);
  });
});
