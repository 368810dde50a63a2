/**
 * Secrets that guard HTTP routes (the Eskiz callback path secret, the OAuth status API key, the
 * /metrics bearer token) are checked once at startup: a short one can be guessed over the
 * network, so anything under 16 characters stops the app with a CONFIG error naming the option.
 * The value itself never appears in the message.
 */
import { configError } from './env-reader';

export const MIN_ROUTE_SECRET_LENGTH = 16;

/** Absent is fine (the route is then off or open, as documented per option); short is not. */
export function checkRouteSecret(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length < MIN_ROUTE_SECRET_LENGTH) {
    throw configError(
      `${option} must be a string of at least ${MIN_ROUTE_SECRET_LENGTH} characters (generate one with \`openssl rand -hex 16\`), or left out`,
    );
  }
}
