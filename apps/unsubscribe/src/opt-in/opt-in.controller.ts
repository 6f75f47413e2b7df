import { Body, Controller, Get, Headers, HttpCode, Ip, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { recipientLanguage, type RecipientLanguage } from '@missive/http';
import { OptInConfirmationService } from './opt-in-confirmation.service';
import { optInBusyPage, optInConfirmPage, optInDonePage, optInInvalidPage } from './opt-in-page.html';
import { isConfirmRequest } from './opt-in-page.rules';

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
 * R-U6: the page speaks the contact's locale (unsubscribe projection), else the browser's Accept-Language, else
 * English; without a valid token or over the limit (no database), the browser's language.
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
    const claims = this.optIn.verify(token);
    // R-X6: counted like the unsubscribe page; over the limit, the page is still drawn, without the database.
    const limited = (await this.optIn.limit(claims, ip, 'opt-in-page')) === 'limited';
    if (!claims) return this.send(reply, 404, recipientLanguage({ acceptLanguage: language }), optInInvalidPage);
    const action = `/c/${encodeURIComponent(token)}`;
    if (limited) {
      const lang = recipientLanguage({ acceptLanguage: language });
      return this.send(reply, 200, lang, (l) =>
        optInConfirmPage(l, this.optIn.cachedTenantName(claims.tenantId), action),
      );
    }
    const facts = await this.optIn.pageFacts(claims);
    const lang = recipientLanguage({ locale: facts.locale, acceptLanguage: language });
    return this.send(reply, 200, lang, (l) => optInConfirmPage(l, facts.tenantName, action));
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
    const claims = this.optIn.verify(token);
    const browserLang = recipientLanguage({ acceptLanguage: language });
    // R-X6: a confirmation writes, so a client or token over its per-minute limit is told to come back; the person's
    // own click or two never reach the limit.
    if ((await this.optIn.limit(claims, ip, 'opt-in-confirm')) === 'limited')
      return this.send(reply, 429, browserLang, optInBusyPage);
    if (!claims) return this.send(reply, 404, browserLang, optInInvalidPage);
    const facts = await this.optIn.pageFacts(claims);
    const lang = recipientLanguage({ locale: facts.locale, acceptLanguage: language });
    if (!isConfirmRequest(form)) return this.send(reply, 400, lang, optInInvalidPage);
    await this.optIn.confirm(claims, { ip, userAgent });
    return this.send(reply, 200, lang, (l) => optInDonePage(l, facts.tenantName));
  }

  /** The page in `lang`, with the headers of every recipient page and `Content-Language` (R-U6). */
  private send(
    reply: FastifyReply,
    status: number,
    lang: RecipientLanguage,
    page: (lang: RecipientLanguage) => string,
  ): FastifyReply {
    return reply.status(status).headers(PAGE_HEADERS).header('content-language', lang).send(page(lang));
  }
}
