/**
 * A contact form's target: one amoCRM lead with its contact and, when a message is given, a
 * note. Before amoCRM is connected this answers 502 REAUTHORIZATION_REQUIRED (via the filter).
 */
import { Body, Controller, Post } from '@nestjs/common';
import { AmoCrmService } from 'uzgate/nestjs';
import { optionalString, requiredString } from '../http/body';

@Controller('leads')
export class LeadsController {
  constructor(private readonly amo: AmoCrmService) {}

  @Post()
  async create(@Body() body: unknown) {
    const name = requiredString(body, 'name');
    const message = optionalString(body, 'message');
    const created = await this.amo.createLead({
      name: `Website request: ${name}`,
      contact: { name, phone: requiredString(body, 'phone'), email: optionalString(body, 'email') },
      note: message,
      tags: ['website'],
    });
    // A failed note is reported, not retried: retrying the call would create the lead twice.
    return {
      leadId: created.id,
      contactId: created.contactId,
      noteId: created.noteId,
      merged: created.merged,
      noteError: created.noteError?.code,
    };
  }
}
