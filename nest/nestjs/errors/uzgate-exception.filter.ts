/**
 * Opt-in: answers uzgate errors with their HTTP status (see HTTP_STATUS_BY_CODE), the code in
 * the body and `Retry-After` when known. Other exceptions are not caught here and keep Nest's
 * default handling. HTTP only.
 *
 *   app.useGlobalFilters(new UzgateExceptionFilter());
 *   // or, with DI: { provide: APP_FILTER, useClass: UzgateExceptionFilter }
 */
import { Catch, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { UzgateError } from '../../index';
import { httpStatusFor } from './http-status';
import { UzgateHttpException } from './uzgate-http-exception';
import { writeErrorResponse, type ErrorResponseLike } from './write-error-response';

@Catch(UzgateError, UzgateHttpException)
export class UzgateExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('uzgate');

  catch(exception: UzgateError | UzgateHttpException, host: ArgumentsHost): void {
    const http = exception instanceof UzgateHttpException ? exception : new UzgateHttpException(exception);
    if (host.getType() !== 'http') throw http;
    if (httpStatusFor(http.code) === HttpStatus.INTERNAL_SERVER_ERROR) {
      // The response hides the message of a 500; the log keeps it.
      this.logger.error(`${http.code}: ${http.uzgateError.message}`, http.uzgateError.stack);
    }
    writeErrorResponse(host.switchToHttp().getResponse<ErrorResponseLike>(), http);
  }
}
