/**
 * amoCRM OAuth, mounted by `AmoCrmModule.forRoot({ oauth })`:
 * - `GET {path}/authorize`: 302 to amoCRM's consent page; the `state` rides in an HttpOnly,
 *   SameSite=Lax cookie (Secure over https) scoped to this path, for 10 minutes.
 * - `GET {path}/callback` (public: amoCRM sends the user's browser here): first its own small
 *   budget (`exchangeBudget`; past it 429 + Retry-After, nothing else done); then the state is
 *   checked against the cookie (constant time, in the core), the code exchanged and the tokens
 *   stored; then `successRedirect` or JSON. Any failure → `failureRedirect?error=<reason>` or
 *   JSON `{ ok: false, error: <reason>, message }` with a fixed sentence per reason (see
 *   oauth-failure.ts); the details go to the server log only.
 *   With `widgetInstalls`, a `from_widget` call (amoCRM's webhook after a marketplace install:
 *   no state, no browser) from the configured account is exchanged and answered with JSON.
 * - `GET {path}/status`: tokenStatus() (never the tokens) for `X-API-KEY: <apiKey>`.
 * `guards` (the app's own) run on `/authorize` and `/status`, never on `/callback`.
 * Express only (uses its `res.redirect`).
 */
import { Controller, Get, Headers, Inject, Logger, Query, Req, Res, UnauthorizedException, UseGuards, type Type } from '@nestjs/common';
import { UzgateError, type TokenStatus } from '../../index';
import { readCookie, serializeCookie } from '../http/cookies';
import { routeNotFound } from '../http/not-found';
import { isHttps, pathWithout, type HttpRequestLike } from '../http/request';
import { safeEqual } from '../http/safe-equal';
import { AMOCRM_OAUTH_SETTINGS } from './amocrm.module-definition';
import { accountHost, DEFAULT_OAUTH_PATH, exchangeBudgetOf, type AmoCrmOAuthOptions } from './amocrm.options';
import { AmoCrmService } from './amocrm.service';
import { ExchangeBudget } from './oauth-exchange-budget';
import { logDetails, oauthFailureMessage, oauthFailureStatus, publicReason, type OAuthFailureReason } from './oauth-failure';

export const STATE_COOKIE = 'uzgate_amocrm_state';
/** Long enough to log in to amoCRM and approve; short enough that a leaked state soon expires. */
const STATE_TTL_SECONDS = 600;

interface ResponseLike {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
  redirect(status: number, url: string): unknown;
  json(body: unknown): unknown;
}

type CallbackQuery = Record<string, unknown>;

/**
 * The controller class for one module definition: the path and the guards are decorators, so
 * they are fixed when the module is defined (the other settings are injected at startup).
 */
export function createAmoCrmOAuthController(definition: Pick<AmoCrmOAuthOptions, 'path' | 'guards'>): Type<unknown> {
  const guards = definition.guards ?? [];

  @Controller(definition.path ?? DEFAULT_OAUTH_PATH)
  class AmoCrmOAuthController {
    private readonly logger = new Logger('uzgate');
    private readonly budget: ExchangeBudget;

    constructor(
      private readonly amo: AmoCrmService,
      @Inject(AMOCRM_OAUTH_SETTINGS) private readonly settings: AmoCrmOAuthOptions,
    ) {
      this.budget = new ExchangeBudget(exchangeBudgetOf(settings));
    }

    @Get('authorize')
    @UseGuards(...guards)
    authorize(@Req() req: HttpRequestLike, @Res() res: ResponseLike): void {
      const { url, state } = this.amo.authorizationUrl(this.settings.mode ? { mode: this.settings.mode } : undefined);
      res.setHeader('Set-Cookie', stateCookie(req, '/authorize', state, STATE_TTL_SECONDS));
      res.redirect(302, url);
    }

    @Get('callback')
    async callback(@Req() req: HttpRequestLike, @Res() res: ResponseLike, @Query() query: CallbackQuery): Promise<void> {
      const admission = this.budget.admit();
      if (!admission.ok) {
        res.setHeader('Retry-After', String(Math.ceil(admission.retryAfterMs / 1000)));
        this.logger.warn(`amoCRM OAuth callback refused (too_many_callbacks): more than the callback budget allows`);
        writeFailure(res, 'too_many_callbacks');
        return;
      }
      if (query.from_widget !== undefined && this.settings.widgetInstalls) {
        await this.widgetInstall(res, query, this.settings.widgetInstalls.referer);
        return;
      }
      const expectedState = readCookie(cookieHeader(req), STATE_COOKIE) || undefined;
      // The state is single-use whatever happens next.
      res.setHeader('Set-Cookie', stateCookie(req, '/callback', '', 0));
      if (!expectedState) {
        this.logger.warn('amoCRM OAuth callback refused (state_missing): the request carried no state cookie');
        this.fail(res, 'state_missing');
        return;
      }
      const code = first(query.code);
      const state = first(query.state);
      let status: TokenStatus;
      try {
        status = await this.amo.exchangeCode({ code, error: first(query.error), state, expectedState, referer: first(query.referer) });
      } catch (e) {
        this.fail(res, this.refused(UzgateError.from(e), [code, state, expectedState]));
        return;
      }
      if (this.settings.successRedirect) res.redirect(302, this.settings.successRedirect);
      else res.json({ ok: true, status });
    }

    /** amoCRM ignores the answer and never resends; the status code is for logs and tests. */
    private async widgetInstall(res: ResponseLike, query: CallbackQuery, allowed: string): Promise<void> {
      const referer = first(query.referer);
      if (!referer || accountHost(referer) !== accountHost(allowed)) {
        this.logger.warn('amoCRM OAuth callback refused (widget_account_refused): a widget install from another account');
        writeFailure(res, 'widget_account_refused');
        return;
      }
      const code = first(query.code);
      try {
        const status = await this.amo.exchangeCode({ code, referer, fromWidget: true });
        res.json({ ok: true, status });
      } catch (e) {
        writeFailure(res, this.refused(UzgateError.from(e), [code]));
      }
    }

    @Get('status')
    @UseGuards(...guards)
    async status(@Req() req: HttpRequestLike, @Headers('x-api-key') apiKey?: string): Promise<TokenStatus> {
      const expected = this.settings.apiKey;
      // Guards alone may protect it; with neither, the route is not there.
      if (!expected && guards.length === 0) throw routeNotFound(req, 'GET');
      if (expected && (!apiKey || !safeEqual(apiKey, expected))) throw new UnauthorizedException('missing or wrong X-API-KEY');
      // A replica that has not used the tokens yet still reports what the shared store holds.
      return this.amo.storedTokenStatus();
    }

    /** The public reason; what really happened goes to the log, masked. */
    private refused(error: UzgateError, requestSecrets: Array<string | undefined>): OAuthFailureReason {
      const reason = publicReason(error);
      const line = `amoCRM OAuth callback refused (${reason}): ${logDetails(error, requestSecrets)}`;
      if (reason === 'exchange_failed') this.logger.error(line);
      else this.logger.warn(line);
      return reason;
    }

    private fail(res: ResponseLike, reason: OAuthFailureReason): void {
      if (this.settings.failureRedirect) res.redirect(302, withQueryParam(this.settings.failureRedirect, 'error', reason));
      else writeFailure(res, reason);
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

/** The JSON answer to a refused callback: the reason and its fixed sentence, nothing else. */
function writeFailure(res: ResponseLike, reason: OAuthFailureReason): void {
  res.status(oauthFailureStatus(reason));
  res.json({ ok: false, error: reason, message: oauthFailureMessage(reason) });
}

function first(value: unknown): string | undefined {
  const v: unknown = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : undefined;
}

function withQueryParam(target: string, name: string, value: string): string {
  const hashAt = target.indexOf('#');
  const base = hashAt < 0 ? target : target.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : target.slice(hashAt);
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}${encodeURIComponent(name)}=${encodeURIComponent(value)}${hash}`;
}
