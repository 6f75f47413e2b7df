import { ApiProperty } from '@nestjs/swagger';

/** R-S8: a tenant's last 7 days of campaign mail, counts and rates only (no contact, no address). */
export class TenantDeliverabilityDto {
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ enum: ['7d'] }) window: '7d';
  @ApiProperty({ description: 'messages the relay accepted' }) delivered: number;
  @ApiProperty({ description: 'refused by the relay, plus hard bounces heard afterwards' }) bounced: number;
  @ApiProperty({ description: 'complaints (ARF reports, provider webhooks)' }) complained: number;
  @ApiProperty({ description: 'bounced / (delivered + bounced); 0 with nothing sent' }) bounceRate: number;
  @ApiProperty({ description: 'complained / delivered; 0 with nothing delivered' }) complaintRate: number;
}
