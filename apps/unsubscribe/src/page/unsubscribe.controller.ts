import { Body, Controller, Get, Headers, HttpCode, Ip, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { recipientLanguage, type RecipientLanguage } from '@missive/http';
import { OptOutService, type PageFacts, type UnsubscribeClaims } from '../opt-outs/opt-out.service';
import { confirmPage, donePage, invalidLinkPage, listsLeftPage, preferencesPage } from './unsubscribe-page.html';
import { isUnsubscribeRequest, listsToLeave } from './unsubscribe-page.rules';

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  // Nothing to load from anywhere: inline style only, no script (R-K4).
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

interface Resolved {
  claims: UnsubscribeClaims;
  facts: PageFacts;
}

/**
 * The recipient's unsubscribe link (R-U1, R-U2, R-U4, R-U6). GET shows a page and never changes state (link scanners
 * prefetch); POST — the RFC 8058 one-click body or the page's form — opts out and answers 200 once stored.
 */
@ApiExcludeController()
@Controller('u')
export class UnsubscribeController {
  constructor(private readonly optOuts: OptOutService) {}

  /**
   * R-X6: a client or a token over its per-minute limit still gets the confirm page, drawn without the database (no
   * masked address); its form works as usual. An opt-out (POST) is never limited: it must be honoured, mail providers
   * send one-click requests for many recipients from few addresses, and a repeated one stores nothing new.
   */
  @Get(':token')
  async page(
    @Param('token') token: string,
    @Headers('accept-language') language: string | undefined,
    @Ip() ip: string,
    @Res() reply: FastifyReply,
  ) {
    const action = `/u/${encodeURIComponent(token)}`;
    const claims = this.optOuts.verify(token);
    // Limited: no database, so the browser's language (R-U6 without the contact's locale).
    if ((await this.optOuts.pageLimit(claims, ip)) === 'limited' && claims) {
      const lang = recipientLanguage({ acceptLanguage: language });
      return this.send(reply, lang, confirmPage(lang, '—', this.optOuts.cachedTenantName(claims.tenantId), action));
    }
    const found = await this.resolve(token);
    if (!found) return this.invalid(reply, recipientLanguage({ acceptLanguage: language }), 404);
    const { facts } = found;
    const lang = this.language(found, language);
    return this.send(reply, lang, confirmPage(lang, facts.maskedAddress ?? '—', facts.tenantName, action));
  }

  @Post(':token')
  @HttpCode(200)
  async unsubscribe(
    @Param('token') token: string,
    @Body() form: Record<string, unknown> | undefined,
    @Headers('accept-language') language: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const found = await this.resolve(token);
    if (!found) return this.invalid(reply, recipientLanguage({ acceptLanguage: language }), 404);
    const lang = this.language(found, language);
    if (!isUnsubscribeRequest(form)) return this.invalid(reply, lang, 400);
    await this.optOuts.optOut(found.claims, form?.['List-Unsubscribe'] === 'One-Click' ? 'one-click' : 'page');
    return this.send(reply, lang, donePage(lang, found.facts.maskedAddress ?? '—', found.facts.tenantName));
  }

  @Get(':token/preferences')
  async preferences(
    @Param('token') token: string,
    @Headers('accept-language') language: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const found = await this.resolve(token);
    if (!found) return this.invalid(reply, recipientLanguage({ acceptLanguage: language }), 404);
    const lang = this.language(found, language);
    const { facts } = found;
    const action = `/u/${encodeURIComponent(token)}/preferences`;
    return this.send(
      reply,
      lang,
      preferencesPage(lang, facts.maskedAddress ?? '—', facts.tenantName, facts.lists, action),
    );
  }

  @Post(':token/preferences')
  @HttpCode(200)
  async leave(
    @Param('token') token: string,
    @Body() form: Record<string, unknown> | undefined,
    @Headers('accept-language') language: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const found = await this.resolve(token);
    if (!found) return this.invalid(reply, recipientLanguage({ acceptLanguage: language }), 404);
    const lang = this.language(found, language);
    const choice = listsToLeave(form, found.facts.lists);
    if (!choice) return this.invalid(reply, lang, 400);
    if ('everything' in choice) {
      await this.optOuts.optOut(found.claims, 'preferences');
      return this.send(reply, lang, donePage(lang, found.facts.maskedAddress ?? '—', found.facts.tenantName));
    }
    await this.optOuts.optOut(found.claims, 'preferences', choice.lists);
    return this.send(reply, lang, listsLeftPage(lang, choice.lists));
  }

  /**
   * A valid unsubscribe token, or null: forged, other-kind and retired-key tokens change nothing. A validly signed
   * token is always honoured (R-U2), also when the projection does not know its contact yet: the page then shows no
   * address, and the opt-out waits for the contact.
   */
  private async resolve(token: string): Promise<Resolved | null> {
    const claims = this.optOuts.verify(token);
    if (!claims) return null;
    return { claims, facts: await this.optOuts.pageFacts(claims) };
  }

  /** R-U6: the contact's locale first, then the browser's Accept-Language, then English. */
  private language(found: Resolved, acceptLanguage: string | undefined): RecipientLanguage {
    return recipientLanguage({ locale: found.facts.locale, acceptLanguage });
  }

  private send(reply: FastifyReply, lang: RecipientLanguage, html: string): FastifyReply {
    return reply.status(200).headers(PAGE_HEADERS).header('content-language', lang).send(html);
  }

  private invalid(reply: FastifyReply, lang: RecipientLanguage, status: 400 | 404): FastifyReply {
    return reply.status(status).headers(PAGE_HEADERS).header('content-language', lang).send(invalidLinkPage(lang));
  }
}
