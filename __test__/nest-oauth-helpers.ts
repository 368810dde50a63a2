/** The OAuth routes' suites alike: an app with AmoCrmModule's OAuth routes, and the browser's two requests. */
import type { INestApplication, LoggerService } from '@nestjs/common';
import request from 'supertest';
import type { Sandbox } from '../nest';
import { AMOCRM_STATE_COOKIE, AmoCrmModule, type AmoCrmOAuthOptions } from '../nest/nestjs';
import type { AmoCrmModuleOptions } from '../nest/nestjs/amocrm/amocrm.options';
import { AMO } from './helpers';
import { startApp } from './nest-helpers';

export const API_KEY = 'not-the-token-admin-key';

/** An app whose AmoCrmModule points at the sandbox, with the OAuth routes (`apiKey` set unless overridden). */
export function oauthApp(
  sb: Sandbox,
  oauth: AmoCrmOAuthOptions = {},
  client: Partial<AmoCrmModuleOptions> = {},
  logger?: LoggerService,
): Promise<INestApplication> {
  return startApp(
    {
      imports: [
        AmoCrmModule.forRoot({
          clientId: AMO.clientId,
          clientSecret: AMO.clientSecret,
          redirectUri: AMO.redirectUri,
          // The sandbox's account (AMO.referer): the OAuth routes are for one configured account.
          subdomain: AMO.referer.split('.')[0],
          baseUrl: sb.url,
          ...client,
          oauth: { apiKey: API_KEY, ...oauth },
        }),
      ],
    },
    logger,
  );
}

/** Code exchanges the sandbox's token endpoint received, successful or not. */
export function exchanges(sb: Sandbox): number {
  const { codeExchanges, codeFailures } = sb.stats().amocrm;
  return codeExchanges + codeFailures;
}

/** GET {path}/authorize → the state cookie and the consent URL. */
export async function authorize(app: INestApplication, path = '/amocrm') {
  const res = await request(app.getHttpServer()).get(`${path}/authorize`).expect(302);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0];
  const state = /uzgate_amocrm_state=([^;]+)/.exec(setCookie)![1];
  return { res, setCookie, state, consent: new URL(res.headers.location) };
}

/** GET /amocrm/callback?{query} with the state cookie, as the browser back from consent sends it. */
export function callback(app: INestApplication, sb: Sandbox, state: string, query = `code=${sb.amocrmIssueCode()}&state=${state}&referer=${AMO.referer}`) {
  return request(app.getHttpServer()).get(`/amocrm/callback?${query}`).set('Cookie', `${AMOCRM_STATE_COOKIE}=${state}`);
}

/** The `Set-Cookie` header as one string: supertest types headers as strings, but this one arrives as an array. */
export function setCookieText(res: request.Response): string {
  return [res.headers['set-cookie'] as string | string[] | undefined].flat().join(',');
}
