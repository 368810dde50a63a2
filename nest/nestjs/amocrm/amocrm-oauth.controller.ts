/**
 * amoCRM OAuth, mounted by `AmoCrmModule.forRoot({ oauth })`:
 * - `GET {path}/authorize`: 302 to amoCRM's consent page; the `state` rides in an HttpOnly,
 *   SameSite=Lax cookie (Secure over https) scoped to this path, for 10 minutes.
 * - `GET {path}/callback`: the state is checked against the cookie (constant time, in the core),
 *   the code exchanged and the tokens stored; then `successRedirect` or JSON. A declined consent,
 *   a missing or forged state, or a bad code → `failureRedirect?error=<reason>` or 400 JSON.
 *   With `widgetInstalls`, a `from_widget` call (amoCRM's webhook after a marketplace install:
 *   no state, no browser) from the configured account is exchanged and answered with JSON.
 * - `GET {path}/status`: tokenStatus() (never the tokens) for `X-API-KEY: <apiKey>`.
 * Express only (uses its `res.redirect`).
 */
import { Controller, Get, Headers, Inject, Query, Req, Res, UnauthorizedException, type Type } from '@nestjs/common';
import { UzgateError, type TokenStatus } from '../../index';
import { UzgateHttpException } from '../errors/uzgate-http-exception';
import { writeErrorResponse, type ErrorResponseLike } from '../errors/write-error-response';
import { readCookie, serializeCookie } from '../http/cookies';
import { routeNotFound } from '../http/not-found';
import { isHttps, pathWithout, type HttpRequestLike } from '../http/request';
import { safeEqual } from '../http/safe-equal';
import { AMOCRM_OAUTH_SETTINGS } from './amocrm.module-definition';
import { accountHost, type AmoCrmOAuthOptions } from './amocrm.options';
import { AmoCrmService } from './amocrm.service';

export const STATE_COOKIE = 'uzgate_amocrm_state';
/** Long enough to log in to amoCRM and approve; short enough that a leaked state soon expires. */
const STATE_TTL_SECONDS = 600;

interface ResponseLike extends ErrorResponseLike {
  setHeader(name: string, value: string): unknown;
  redirect(status: number, url: string): unknown;
  json(body: unknown): unknown;
}

type CallbackQuery = Record<string, unknown>;

export function createAmoCrmOAuthController(path: string): Type<unknown> {
  @Controller(path)
  class AmoCrmOAuthController {
    constructor(
      private readonly amo: AmoCrmService,
      @Inject(AMOCRM_OAUTH_SETTINGS) private readonly settings: AmoCrmOAuthOptions,
    ) {}

    @Get('authorize')
    authorize(@Req() req: HttpRequestLike, @Res() res: ResponseLike): void {
      const { url, state } = this.amo.authorizationUrl(this.settings.mode ? { mode: this.settings.mode } : undefined);
      res.setHeader('Set-Cookie', stateCookie(req, '/authorize', state, STATE_TTL_SECONDS));
      res.redirect(302, url);
    }

    @Get('callback')
    async callback(@Req() req: HttpRequestLike, @Res() res: ResponseLike, @Query() query: CallbackQuery): Promise<void> {
      if (query.from_widget !== undefined && this.settings.widgetInstalls) {
        await this.widgetInstall(res, query, this.settings.widgetInstalls.referer);
        return;
      }
      const expectedState = readCookie(cookieHeader(req), STATE_COOKIE);
      // The state is single-use whatever happens next.
      res.setHeader('Set-Cookie', stateCookie(req, '/callback', '', 0));
      let status: TokenStatus;
      try {
        status = await this.amo.exchangeCode({
          code: first(query.code),
          error: first(query.error),
          state: first(query.state),
          expectedState,
          referer: first(query.referer),
        });
      } catch (e) {
        this.fail(res, UzgateError.from(e), expectedState);
        return;
      }
      if (this.settings.successRedirect) res.redirect(302, this.settings.successRedirect);
      else res.json({ ok: true, status });
    }

    /** amoCRM ignores the answer and never resends; the status code is for logs and tests. */
    private async widgetInstall(res: ResponseLike, query: CallbackQuery, allowed: string): Promise<void> {
      const referer = first(query.referer);
      if (!referer || accountHost(referer) !== accountHost(allowed)) {
        res.status(403);
        res.json({ ok: false, error: 'widget_account_refused', message: 'a widget install from another amoCRM account' });
        return;
      }
      try {
        const status = await this.amo.exchangeCode({ code: first(query.code), referer, fromWidget: true });
        res.json({ ok: true, status });
      } catch (e) {
        const error = UzgateError.from(e);
        writeFailure(res, error, failureReason(error, true));
      }
    }

    @Get('status')
    async status(@Req() req: HttpRequestLike, @Headers('x-api-key') apiKey?: string): Promise<TokenStatus> {
      const expected = this.settings.apiKey;
      if (!expected) throw routeNotFound(req, 'GET');
      if (!apiKey || !safeEqual(apiKey, expected)) throw new UnauthorizedException('missing or wrong X-API-KEY');
      // A replica that has not used the tokens yet still reports what the shared store holds.
      return this.amo.storedTokenStatus();
    }

    private fail(res: ResponseLike, error: UzgateError, expectedState: string | undefined): void {
      const reason = failureReason(error, Boolean(expectedState));
      if (this.settings.failureRedirect) {
        res.redirect(302, withQueryParam(this.settings.failureRedirect, 'error', reason));
      } else {
        writeFailure(res, error, reason);
      }
    }
  }
  return AmoCrmOAuthController;
}

/** Scoped to the controller's path as the browser sees it (global prefixes included). */
function stateCookie(req: HttpRequestLike, routeSuffix: string, value: string, maxAgeSeconds: number): string {
  return serializeCookie(STATE_COOKIE, value, {
    path: pathWithout(req, routeSuffix),
    maxAgeSeconds,
    secure: isHttps(req),
  });
}

function cookieHeader(req: HttpRequestLike): string | undefined {
  const value = req.headers.cookie;
  return Array.isArray(value) ? value.join('; ') : value;
}

/** `access_denied`, `state_mismatch`, `state_missing`, `code_expired`, … */
function failureReason(error: UzgateError, hadState: boolean): string {
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  if (typeof reason === 'string') return reason;
  if (!hadState) return 'state_missing';
  return error.code.toLowerCase();
}

/** JSON answer to a failed callback: 400 when the request was bad, the mapped status otherwise. */
function writeFailure(res: ResponseLike, error: UzgateError, reason: string): void {
  if (error.code === 'INVALID_ARGUMENT' || error.code === 'AUTH_FAILED') {
    // The request was bad (declined, forged, stale or reused): a client error.
    res.status(400);
    res.json({ ok: false, error: reason, message: error.message });
  } else {
    writeErrorResponse(res, new UzgateHttpException(error));
  }
}

function first(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : undefined;
}

function withQueryParam(target: string, name: string, value: string): string {
  const hashAt = target.indexOf('#');
  const base = hashAt < 0 ? target : target.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : target.slice(hashAt);
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}${hash}`;
}
