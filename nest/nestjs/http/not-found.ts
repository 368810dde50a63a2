import { NotFoundException } from '@nestjs/common';
import { requestPath, type HttpRequestLike } from './request';

/** The same 404 Nest gives an unknown route, so a wrong secret or an unset feature reveals nothing. */
export function routeNotFound(req: HttpRequestLike, method: 'GET' | 'POST'): NotFoundException {
  return new NotFoundException(`Cannot ${method} ${requestPath(req).split('?')[0]}`);
}
