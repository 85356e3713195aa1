import type { IncomingMessage } from 'node:http';
import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { UnsupportedCharsetError, ValidationFailedError } from './errors.js';

/** Deeper JSON than any request of ours needs; deeper bodies are refused before they are parsed. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found in one pass over the
 * bytes without parsing (brackets inside strings do not count). Parsing and transforming a deep
 * body costs time and stack that grow with its depth, so the depth is checked first.
 */
export function jsonNestedDeeperThan(text: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const byte = text[index];
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * The body-parser `verify` hook: keeps the raw body (signed webhooks need it), refuses a charset
 * other than UTF-8 (the depth scan reads UTF-8 bytes: `[` in UTF-7 is `+AFs-`) and deep nesting.
 */
export function verifyJsonBody(request: IncomingMessage, _response: unknown, body: Buffer, encoding: string): void {
  (request as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
  if (encoding.toLowerCase().replace('_', '-') !== 'utf-8') throw new UnsupportedCharsetError();
  if (jsonNestedDeeperThan(body, MAX_JSON_DEPTH)) throw deepNesting('body');
}

function deepNesting(field: string): ValidationFailedError {
  return new ValidationFailedError([{ field, problems: [`must not nest deeper than ${MAX_JSON_DEPTH} levels`] }]);
}

/** Whether a string can be stored and tokenized as it is: no NUL and no unpaired surrogate. */
export function isStorableText(text: string): boolean {
  return text.isWellFormed() && !text.includes('\u0000');
}

/**
 * Text made storable: NUL characters dropped and unpaired surrogates replaced by U+FFFD. For text
 * we did not receive from a client (a model's reply), which must be kept rather than refused.
 */
export function toStorableText(text: string): string {
  return isStorableText(text) ? text : text.toWellFormed().replaceAll('\u0000', '');
}

/**
 * The first problem of a parsed request part: a string (key or value) that is not storable, or
 * nesting deeper than `MAX_JSON_DEPTH` (checked again here, whatever the body's encoding was).
 * The walk is iterative and stops at the depth bound.
 */
export function inputProblemAt(value: unknown, root = ''): { field: string; problem: 'text' | 'depth' } | null {
  const pending: [unknown, string, number][] = [[value, root, 0]];
  while (pending.length > 0) {
    const [current, path, depth] = pending.pop()!;
    if (typeof current === 'string') {
      if (!isStorableText(current)) return { field: path, problem: 'text' };
    } else if (current !== null && typeof current === 'object') {
      if (depth >= MAX_JSON_DEPTH) return { field: path, problem: 'depth' };
      if (Array.isArray(current)) {
        current.forEach((item, index) => pending.push([item, `${path}[${index}]`, depth + 1]));
        continue;
      }
      for (const [key, item] of Object.entries(current)) {
        if (!isStorableText(key)) return { field: path, problem: 'text' };
        pending.push([item, path ? `${path}.${key}` : key, depth + 1]);
      }
    }
  }
  return null;
}

/**
 * Runs before validation on every body, query and route parameter: text that the database or the
 * tokenizer cannot take (NUL, unpaired surrogates) and nesting the transformer would recurse
 * through are refused with a 400 naming the field, so neither reaches a model call whose answer
 * could then not be recorded, nor a stack overflow.
 */
@Injectable()
export class StorableTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const found = inputProblemAt(value, metadata.data ?? '');
    if (found?.problem === 'depth') throw deepNesting(found.field || metadata.type);
    if (found) throw new ValidationFailedError([{ field: found.field || metadata.type, problems: ['must not contain NUL characters or unpaired surrogates'] }]);
    return value;
  }
}
