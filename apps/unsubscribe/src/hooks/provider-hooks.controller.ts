import { Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER } from './sendgrid-signature';
import { ProviderHooksService } from './provider-hooks.service';
import { KeepRawBody, rawBodyOf } from './raw-body';

/** Providers batch events (SendGrid up to a few hundred per request); above this the request is refused with 413. */
const HOOK_BODY_LIMIT = 1024 * 1024;

/**
 * Provider bounce and complaint webhooks on the public port (R-S8, API.md): 401 for a bad signature, 404 for a
 * provider that is not configured, 200 once every attributable event is stored.
 */
@ApiExcludeController()
@Controller('hooks')
export class ProviderHooksController {
  constructor(private readonly hooks: ProviderHooksService) {}

  @Post('ses')
  @HttpCode(200)
  @KeepRawBody(HOOK_BODY_LIMIT)
  ses(@Req() request: FastifyRequest) {
    return this.hooks.ses(rawBodyOf(request));
  }

  @Post('sendgrid')
  @HttpCode(200)
  @KeepRawBody(HOOK_BODY_LIMIT)
  sendgrid(
    @Req() request: FastifyRequest,
    @Headers(SENDGRID_SIGNATURE_HEADER) signature: string | undefined,
    @Headers(SENDGRID_TIMESTAMP_HEADER) timestamp: string | undefined,
  ) {
    return this.hooks.sendgrid(rawBodyOf(request), signature, timestamp);
  }

  @Post('postmark')
  @HttpCode(200)
  @KeepRawBody(HOOK_BODY_LIMIT)
  async postmark(
    @Req() request: FastifyRequest,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    // Basic auth's 401 names its scheme, as HTTP asks (RFC 9110 §11.6.1).
    reply.header('www-authenticate', 'Basic realm="missive-hooks"');
    const result = await this.hooks.postmark(authorization, rawBodyOf(request));
    reply.removeHeader('www-authenticate');
    return result;
  }

  @Post('mailgun')
  @HttpCode(200)
  @KeepRawBody(HOOK_BODY_LIMIT)
  mailgun(@Req() request: FastifyRequest) {
    return this.hooks.mailgun(rawBodyOf(request));
  }
}
