import { Get, Header, Injectable, NotFoundException, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DevMailSink } from './dev-mail-sink';

/**
 * Lets a person see what the local sink received: `GET /dev/mail` lists, `GET /dev/mail/{id}` shows one raw
 * message. Mounted on the support listener only, behind a staff token, and only outside production when SMTP_URL
 * is unset (`DevMailModule.forSink` gives it its path and guard).
 */
@ApiTags('dev')
@Injectable()
export class DevMailController {
  constructor(private readonly sink: DevMailSink) {}

  @Get()
  @ApiOperation({ summary: 'Messages the local mail sink received (newest last)' })
  list() {
    const items = this.sink.list().map(({ raw, ...meta }) => ({
      ...meta,
      subject: /^Subject: (.*)$/m.exec(raw)?.[1] ?? null,
      size: raw.length,
    }));
    return { total: this.sink.total, items };
  }

  @Get(':id')
  @Header('content-type', 'message/rfc822; charset=utf-8')
  one(@Param('id') id: string): string {
    const message = this.sink.get(id);
    if (!message) throw new NotFoundException('No such message in the sink');
    return message.raw;
  }
}
