import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';

/** A file to send (CSV, JSON): its names and its text, produced piece by piece. */
export interface CsvDownload {
  fileName: { ascii: string; unicode: string };
  chunks: AsyncIterable<string>;
}

/** RFC 5987's `filename*` value: UTF-8, percent-encoded, with the characters encodeURIComponent leaves alone encoded too. */
function extendedValue(text: string): string {
  return `UTF-8''${encodeURIComponent(text).replace(/['()*!]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/**
 * Streams a CSV attachment. The pipeline writes as fast as the client reads (backpressure): the
 * next batch is read from the database only when the previous one has gone out, and a client that
 * leaves stops the reading.
 */
export function sendCsv(response: Response, file: CsvDownload): Promise<void> {
  return sendAttachment(response, 'text/csv; charset=utf-8', file);
}

/** Streams any file built piece by piece as an attachment (see `sendCsv`). */
export async function sendAttachment(response: Response, contentType: string, file: CsvDownload): Promise<void> {
  response.setHeader('content-type', contentType);
  response.setHeader('content-disposition', `attachment; filename="${file.fileName.ascii.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=${extendedValue(file.fileName.unicode)}`);
  response.setHeader('cache-control', 'no-store');
  try {
    await pipeline(Readable.from(file.chunks), response);
  } catch (error) {
    // The client went away: nothing is left to send to anyone.
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw error;
  }
}
