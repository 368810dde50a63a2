import { Body, Controller, Post } from '@nestjs/common';
import { AmoCrmService } from 'uzgate/nestjs';

@Controller('leads')
export class LeadsController {
  constructor(private readonly amo: AmoCrmService) {}

  @Post()
  async create(@Body() body: { name: string; phone: string }) {
    const lead = await this.amo.createLead({ name: `Website: ${body.name}`, contact: { name: body.name, phone: body.phone } });
    return { leadId: lead.id };
  }
}
