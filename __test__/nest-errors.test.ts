/** UzgateError → HTTP: each code's status, Retry-After, the body, and what the filter leaves alone. */
import { BadRequestException, Controller, Get, HttpException, Param } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import request from 'supertest';
import { ERROR_CODES, UzgateError, type UzgateErrorCode } from '../nest';
import { HTTP_STATUS_BY_CODE, UzgateExceptionFilter, UzgateHttpException, toHttpException } from '../nest/nestjs';
import { CollectingLogger, closeApps, startApp } from './nest-helpers';

afterEach(closeApps);

const expected: Array<[UzgateErrorCode, number]> = [
  ['INVALID_ARGUMENT', 400],
  ['INVALID_PHONE', 400],
  ['NOT_FOUND', 404],
  ['PROVIDER_REJECTED', 422],
  ['RATE_LIMITED', 429],
  ['AUTH_FAILED', 502],
  ['REAUTHORIZATION_REQUIRED', 502],
  ['ACCOUNT_UNPAID', 502],
  ['PROVIDER_UNAVAILABLE', 503],
  ['NETWORK', 503],
  ['ACCESS_BLOCKED', 503],
  ['CLOSED', 503],
  ['TIMEOUT', 504],
  ['OUTCOME_UNKNOWN', 504],
  ['NOT_IMPLEMENTED', 501],
  ['CONFIG', 500],
  ['SANDBOX_NOT_INSTALLED', 500],
  ['STORE_ERROR', 500],
  ['INTERNAL', 500],
];

test('the table covers every error code', () => {
  expect(expected.map(([code]) => code).sort()).toEqual([...ERROR_CODES].sort());
  expect(Object.fromEntries(expected)).toEqual(HTTP_STATUS_BY_CODE);
});

function errorFor(code: UzgateErrorCode): UzgateError {
  return new UzgateError(`failure ${code}`, {
    code,
    provider: 'eskiz',
    status: 400,
    retryAfterMs: code === 'RATE_LIMITED' || code === 'ACCESS_BLOCKED' ? 2500 : undefined,
    providerMessage: 'Eskiz said no',
    details: { field: 'to' },
  });
}

@Controller('fail')
class FailingController {
  @Get('uzgate/:code')
  uzgate(@Param('code') code: UzgateErrorCode): never {
    throw errorFor(code);
  }

  @Get('wrapped/:code')
  wrapped(@Param('code') code: UzgateErrorCode): never {
    throw toHttpException(errorFor(code));
  }

  @Get('other')
  other(): never {
    throw new BadRequestException('plain Nest error');
  }

  @Get('crash')
  crash(): never {
    throw new TypeError('a bug');
  }
}

async function app(viaDi = false) {
  const logger = new CollectingLogger();
  const nest = await startApp(
    {
      controllers: [FailingController],
      providers: viaDi ? [{ provide: APP_FILTER, useClass: UzgateExceptionFilter }] : [],
    },
    logger,
    (a) => {
      if (!viaDi) a.useGlobalFilters(new UzgateExceptionFilter());
    },
  );
  return { nest, logger };
}

test.each(expected)('%s → %i through the filter', async (code, status) => {
  const { nest } = await app();
  const res = await request(nest.getHttpServer()).get(`/fail/uzgate/${code}`).expect(status);
  expect(res.body).toMatchObject({ statusCode: status, code, provider: 'eskiz' });
  if (status < 500) {
    expect(res.body).toMatchObject({ message: `failure ${code}`, details: { field: 'to' }, providerMessage: 'Eskiz said no' });
  } else {
    expect(res.body).not.toHaveProperty('details');
    expect(res.body).not.toHaveProperty('providerMessage');
  }
  if (status === 500) expect(res.body.message).toBe('Internal server error');
  if (code === 'RATE_LIMITED' || code === 'ACCESS_BLOCKED') {
    expect(res.headers['retry-after']).toBe('3');
    expect(res.body.retryAfterMs).toBe(2500);
  } else {
    expect(res.headers['retry-after']).toBeUndefined();
  }
});

test('429 with Retry-After, registered through APP_FILTER; toHttpException results get it too', async () => {
  const { nest } = await app(true);
  for (const path of ['/fail/uzgate/RATE_LIMITED', '/fail/wrapped/RATE_LIMITED']) {
    const res = await request(nest.getHttpServer()).get(path).expect(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'RATE_LIMITED',
      message: 'failure RATE_LIMITED',
      provider: 'eskiz',
      retryAfterMs: 2500,
      providerMessage: 'Eskiz said no',
      details: { field: 'to' },
    });
  }
});

test('a 500 keeps its message out of the response and in the log', async () => {
  const { nest, logger } = await app();
  await request(nest.getHttpServer()).get('/fail/uzgate/STORE_ERROR').expect(500);
  expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('STORE_ERROR: failure STORE_ERROR'))).toBe(true);
});

test('other exceptions keep Nest\'s default handling', async () => {
  const { nest } = await app();
  const res = await request(nest.getHttpServer()).get('/fail/other').expect(400);
  expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'plain Nest error' });
  const crash = await request(nest.getHttpServer()).get('/fail/crash').expect(500);
  expect(crash.body).toEqual({ statusCode: 500, message: 'Internal server error' });
});

test('without the filter, toHttpException still gives the status and the code', async () => {
  const nest = await startApp({ controllers: [FailingController] });
  const res = await request(nest.getHttpServer()).get('/fail/wrapped/PROVIDER_REJECTED').expect(422);
  expect(res.body).toMatchObject({ code: 'PROVIDER_REJECTED', providerMessage: 'Eskiz said no' });
});

test('toHttpException: the code stays readable; HttpExceptions pass through; anything else is INTERNAL', () => {
  const http = toHttpException(errorFor('TIMEOUT'));
  expect(http).toBeInstanceOf(UzgateHttpException);
  if (!(http instanceof UzgateHttpException)) return;
  expect(http.getStatus()).toBe(504);
  expect(http.code).toBe('TIMEOUT');
  expect(http.uzgateError.code).toBe('TIMEOUT');
  const plain = new HttpException('x', 418);
  expect(toHttpException(plain)).toBe(plain);
  expect(toHttpException(new Error('boom')).getStatus()).toBe(500);
  // Errors shaped like the addon's (another realm, not instanceof) keep their code.
  expect(toHttpException(Object.assign(new Error('slow'), { code: 'RATE_LIMITED', retryAfterMs: 1000 })).getStatus()).toBe(429);
});
