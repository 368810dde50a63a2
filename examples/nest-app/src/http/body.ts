/**
 * Request-body checks by hand (the app needs no validation library): shapes only. Whether a
 * phone number or an e-mail is valid is uzgate's call — INVALID_PHONE / INVALID_ARGUMENT,
 * answered 400 by UzgateExceptionFilter before anything is sent.
 */
import { BadRequestException } from '@nestjs/common';

const MAX_LENGTH = 2000;

export function requiredString(body: unknown, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined) throw new BadRequestException(`${field} is required`);
  return value;
}

export function optionalString(body: unknown, field: string): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new BadRequestException(`${field} must be a string`);
  if (value.length > MAX_LENGTH) throw new BadRequestException(`${field} is longer than ${MAX_LENGTH} characters`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
