/**
 * A provider callback's body, whichever way the app parses bodies: Nest's default JSON and
 * urlencoded parsers, `rawBody: true`, or no parser at all (then the stream is read here).
 */
import type { Readable } from 'node:stream';
import { PayloadTooLargeException } from '@nestjs/common';
import { header, type HttpRequestLike } from './request';

/** Providers' callbacks are small; anything larger is not one. */
const MAX_BYTES = 64 * 1024;

export type FormFields = Record<string, string | string[]>;

export interface CallbackBody {
  /** The fields of a form or JSON object body. */
  fields: Record<string, unknown>;
  /** The bytes exactly as received, when they are available. */
  raw?: Buffer;
  /** A JSON array body (Play Mobile may post several reports at once); `fields` is then empty. */
  list?: unknown[];
}

export async function readCallbackBody(req: HttpRequestLike): Promise<CallbackBody> {
  let raw = Buffer.isBuffer(req.rawBody) ? req.rawBody : undefined;
  if (isPlainObject(req.body)) return { fields: req.body, raw };
  if (Array.isArray(req.body)) return { fields: {}, raw, list: req.body as unknown[] };
  if (!raw && unread(req)) raw = await readStream(req);
  if (!raw || raw.length === 0) return { fields: {}, raw };
  const text = raw.toString('utf8');
  if (header(req, 'content-type')?.toLowerCase().includes('json')) {
    const parsed: unknown = safeJsonParse(text);
    if (Array.isArray(parsed)) return { fields: {}, raw, list: parsed as unknown[] };
    return { fields: isPlainObject(parsed) ? parsed : {}, raw };
  }
  return { fields: parseForm(text), raw };
}

/** Form fields for signature checks: from the exact bytes when known, else from the parsed body. */
export function formFields(body: CallbackBody): FormFields {
  if (body.raw && body.raw.length > 0) return parseForm(body.raw.toString('utf8'));
  const fields: FormFields = {};
  for (const [key, value] of Object.entries(body.fields)) {
    if (typeof value === 'string') fields[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) fields[key] = value;
  }
  return fields;
}

/** `application/x-www-form-urlencoded`, repeated keys kept as arrays. */
export function parseForm(text: string): FormFields {
  const fields: FormFields = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const previous = (fields as Partial<FormFields>)[key];
    fields[key] = previous === undefined ? value : ([] as string[]).concat(previous, value);
  }
  return fields;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function safeJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True when no body parser consumed the stream. */
function unread(req: HttpRequestLike): req is HttpRequestLike & Readable {
  const stream = req as Partial<Readable> & { _body?: boolean };
  return typeof stream.on === 'function' && stream.readable === true && stream.readableEnded !== true && stream._body !== true;
}

function readStream(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BYTES) {
        stream.destroy();
        reject(new PayloadTooLargeException('callback body too large'));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
  });
}
