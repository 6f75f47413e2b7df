import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ErrorBodyDto } from '@missive/http';
import { CurrentTenant, TenantApi, type TenantContext } from '@missive/tenancy';
import { ContactListingService } from './contact-listing.service';
import { ContactsService } from './contacts.service';
import { ContactResponse, CreateContactDto, PatchContactDto } from './dto/contact.dto';

/**
 * Public contacts API (API.md). Bodies are typed `Record<string, unknown>` on purpose: the global validation pipe
 * leaves them alone and `validateContactInput` — the one rule set the import uses too — checks them.
 */
@ApiTags('contacts')
@TenantApi()
@Controller('v1/contacts')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly listing: ContactListingService,
  ) {}

  @Post()
  @ApiBody({ type: CreateContactDto })
  @ApiOkResponse({ type: ContactResponse, description: '201 created, 200 updated (upsert by email)' })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  async upsert(
    @CurrentTenant() tenant: TenantContext,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ContactResponse> {
    const { created, contact } = await this.contacts.upsert(tenant, body);
    void reply.status(created ? 201 : 200);
    return contact;
  }

  /** With `email`: that one contact or 404 (API.md); without: the listing `{items, nextCursor}`. */
  @Get()
  @ApiOkResponse({ type: ContactResponse })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  getByEmail(
    @CurrentTenant() tenant: TenantContext,
    @Query() query: Record<string, unknown>,
  ): Promise<ContactResponse | { items: ContactResponse[]; nextCursor: string | null }> {
    if (query.email !== undefined) return this.contacts.getByEmail(tenant, query.email);
    const { status, list, tag, cursor, limit } = query;
    return this.listing.list(tenant, { status, list, tag, cursor, limit });
  }

  @Get(':id')
  @ApiOkResponse({ type: ContactResponse })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(@CurrentTenant() tenant: TenantContext, @Param('id') id: string): Promise<ContactResponse> {
    return this.contacts.get(tenant, id);
  }

  @Patch(':id')
  @ApiBody({ type: PatchContactDto })
  @ApiOkResponse({ type: ContactResponse })
  patch(
    @CurrentTenant() tenant: TenantContext,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
  ): Promise<ContactResponse> {
    return this.contacts.patch(tenant, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async erase(@CurrentTenant() tenant: TenantContext, @Param('id') id: string): Promise<void> {
    await this.contacts.erase(tenant, id);
  }
}
