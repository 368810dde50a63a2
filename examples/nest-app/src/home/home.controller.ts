/**
 * `GET /`: the one page of the example — is amoCRM connected, and a button that starts the
 * OAuth flow (the module's `/amocrm/authorize`). The consent's outcome lands back here.
 */
import { Controller, Get, Header, Query } from '@nestjs/common';
import { AmoCrmService } from 'uzgate/nestjs';
import { renderHome } from './home.page';

@Controller()
export class HomeController {
  constructor(private readonly amo: AmoCrmService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async home(@Query('error') error?: string): Promise<string> {
    // From the token store, so a restarted app (or another replica) shows the real state.
    const status = await this.amo.storedTokenStatus();
    return renderHome({ amoState: status.state, expiresAt: status.expiresAt, error: typeof error === 'string' ? error : undefined });
  }
}
