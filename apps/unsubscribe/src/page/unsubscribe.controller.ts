import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { OptOutService } from '../opt-outs/opt-out.service';
import { confirmPage, donePage, invalidLinkPage, listsLeftPage, preferencesPage } from './unsubscribe-page.html';
import { isUnsubscribeRequest, listsToLeave, pickLanguage } from './unsubscribe-page.rules';

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  // Nothing to load from anywhere: inline style only, no script (R-K4).
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

/**
 * The recipient's unsubscribe link (R-U1, R-U2). GET shows a page and never changes state (link scanners
 * prefetch); POST — the RFC 8058 one-click body or the page's form — opts out and answers 200 once stored.
 */
@ApiExcludeController()
@Controller('u')
export class UnsubscribeController {
  constructor(private readonly optOuts: OptOutService) {}

  @Get(':token')
  async page(
    @Param('token') token: string,
    @Headers('accept-language') language: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const lang = pickLanguage(language);
    const claims = this.optOuts.verify(token);
    if (!claims) return reply.status(404).headers(PAGE_HEADERS).send(invalidLinkPage(lang));
    const facts = await this.optOuts.pageFacts(claims);
    if (!facts.known) return reply.status(404).headers(PAGE_HEADERS).send(invalidLinkPage(lang));
    return reply
      .status(200)
      .headers(PAGE_HEADERS)
      .send(confirmPage(lang, facts.maskedAddress ?? '—', facts.tenantName, `/u/${encodeURIComponent(token)}`));
  }

  @Post(':token')
  @HttpCode(200)
  async unsubscribe(
    @Param('token') token: string,
    @Body() form: Record<string, unknown> | undefined,
    @Headers('accept-language') language: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const lang = pickLanguage(language);
    const claims = this.optOuts.verify(token);
    if (!claims) return reply.status(404).headers(PAGE_HEADERS).send(invalidLinkPage(lang));
    if (!isUnsubscribeRequest(form)) return reply.status(400).headers(PAGE_HEADERS).send(invalidLinkPage(lang));
    // A validly signed token whose contact is not this tenant's (another tenant's, or erased) changes nothing.
    if (!(await this.optOuts.pageFacts(claims)).known)
      return reply.status(404).headers(PAGE_HEADERS).send(invalidLinkPage(lang));
    await this.optOuts.optOut(claims, form?.['List-Unsubscribe'] === 'One-Click' ? 'one-click' : 'page');
    const facts = await this.optOuts.pageFacts(claims);
    return reply
      .status(200)
      .headers(PAGE_HEADERS)
      .send(donePage(lang, facts.maskedAddress ?? '—', facts.tenantName));
  }

  /** R-U4: the preference page; like the confirm page, GET changes nothing. */
  @Get(':token/preferences')
  async preferences(
    @Param('token') token: string,
    @Headers('accept-language') language: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const lang = pickLanguage(language);
    const claims = this.optOuts.verify(token);
    if (!claims) return reply.status(404).headers(PAGE_HEADERS).send(invalidLinkPage(lang));
    const facts = await this.optOuts.pageFacts(claims);
    const action = `/u/${encodeURIComponent(token)}/preferences`;
    return reply
      .status(200)
      .headers(PAGE_HEADERS)
      .send(preferencesPage(lang, facts.maskedAddress ?? '—', facts.tenantName, facts.lists, action));
  }

  @Post(':token/preferences')
  @HttpCode(200)
  async leave(
    @Param('token') token: string,
    @Body() form: Record<string, unknown> | undefined,
    @Headers('accept-language') language: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const lang = pickLanguage(language);
    const claims = this.optOuts.verify(token);
    if (!claims) return reply.status(404).headers(PAGE_HEADERS).send(invalidLinkPage(lang));
    const facts = await this.optOuts.pageFacts(claims);
    const choice = listsToLeave(form, facts.lists);
    if (!choice) return reply.status(400).headers(PAGE_HEADERS).send(invalidLinkPage(lang));
    if ('everything' in choice) {
      await this.optOuts.optOut(claims, 'preferences');
      return reply
        .status(200)
        .headers(PAGE_HEADERS)
        .send(donePage(lang, facts.maskedAddress ?? '—', facts.tenantName));
    }
    await this.optOuts.optOut(claims, 'preferences', choice.lists);
    return reply.status(200).headers(PAGE_HEADERS).send(listsLeftPage(lang, choice.lists));
  }
}
