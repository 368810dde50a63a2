import type { UzgateHttpException } from './uzgate-http-exception';

/** What Express and Fastify responses both offer. */
export interface ErrorResponseLike {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
  send(body: unknown): unknown;
}

/** Status, `Retry-After` and the JSON body of an uzgate error. */
export function writeErrorResponse(res: ErrorResponseLike, exception: UzgateHttpException): void {
  res.status(exception.getStatus());
  for (const [name, value] of Object.entries(exception.headers)) res.header(name, value);
  res.send(exception.getResponse());
}
