import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentStaffCall, StaffApi } from '../staff/staff-api.decorators';
import type { StaffCall } from '../staff/staff-call';
import { CreateIncidentDto, IncidentRecordedDto } from './dto/create-incident.dto';
import { IncidentsService } from './incidents.service';

@ApiTags('incidents')
@StaffApi()
@ApiHeader({
  name: 'X-Justification',
  required: false,
  description: 'required when a tenant is of another region (R-A1)',
})
@Controller('internal/v1/incidents')
export class IncidentsController {
  constructor(private readonly service: IncidentsService) {}

  @Post()
  @AdminOnly()
  @ApiCreatedResponse({ type: IncidentRecordedDto })
  record(@CurrentStaffCall() call: StaffCall, @Body() dto: CreateIncidentDto): Promise<IncidentRecordedDto> {
    return this.service.record(call, dto);
  }
}
