import { Body, Controller, Get, Headers, HttpCode, Ip, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { OptInConfirmationService } from './opt-in-confirmation.service';
import { optInBusyPage, optInConfirmPage, optInDonePage, optInInvalidPage } from './opt-in-page.html';
import { isConfirmRequest, optInPageLanguage } from './opt-in-page.rules';

/** The unsubscribe pages' headers: no caching, no referrer, no script, nothing loaded from anywhere (R-K4). */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

/**
 * The double opt-in link (R-C8). GET shows a confirm button and never changes state (mail scanners prefetch links);
 * POST — the page's form — stores the confirmation and answers 200; a second POST answers 200 and changes nothing.
 * A token that is not a valid confirmation token (an unsubscribe token included) gets the invalid-link page, 404.
 */
@ApiExcludeController()
@Controller('c')
export class OptInController {
  constructor(private readonly optIn: OptInConfirmationService) {}

  @Get(':token')
  async page(
    @Param('token') token: string,
    @Headers('accept-language') language: string | undefined,
    @Ip() ip: string,
    @Res() reply: FastifyReply,
  ) {
    const lang = optInPageLanguage(language);
    const claims = this.optIn.verify(token);
    // R-X6: counted like the unsubscribe page; over the limit, the page is still drawn, without the database.
    const limited = (await this.optIn.limit(claims, ip, 'opt-in-page')) === 'limited';
    if (!claims) return this.send(reply, 404, optInInvalidPage(lang));
    const action = `/c/${encodeURIComponent(token)}`;
    const name = limited ? this.optIn.cachedTenantName(claims.tenantId) : await this.optIn.tenantName(claims.tenantId);
    return this.send(reply, 200, optInConfirmPage(lang, name, action));
  }

  @Post(':token')
  @HttpCode(200)
  async confirm(
    @Param('token') token: string,
    @Body() form: Record<string, unknown> | undefined,
    @Headers('accept-language') language: string | undefined,
    @Headers('user-agent') userAgent: string | undefined,
    @Ip() ip: string,
    @Res() reply: FastifyReply,
  ) {
    const lang = optInPageLanguage(language);
    const claims = this.optIn.verify(token);
    // R-X6: a confirmation writes, so a client or token over its per-minute limit is told to come back; the person's
    // own click or two never reach the limit.
    if ((await this.optIn.limit(claims, ip, 'opt-in-confirm')) === 'limited')
      return this.send(reply, 429, optInBusyPage(lang));
    if (!claims) return this.send(reply, 404, optInInvalidPage(lang));
    if (!isConfirmRequest(form)) return this.send(reply, 400, optInInvalidPage(lang));
    await this.optIn.confirm(claims, { ip, userAgent });
    return this.send(reply, 200, optInDonePage(lang, await this.optIn.tenantName(claims.tenantId)));
  }

  private send(reply: FastifyReply, status: number, html: string): FastifyReply {
    return reply.status(status).headers(PAGE_HEADERS).send(html);
  }
}
