import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { ArchiveDamagedError } from '../common/errors.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A conversation's messages as stored in its archive: gzip of their JSON, and the JSON's SHA-256. */
export interface EncodedArchive {
  payload: Buffer;
  sha256: string;
  bytesRaw: number;
}


/** Compresses messages for the archive (in libuv's thread pool: the event loop is not held by the compression). */
export async function encodeArchive(messages: unknown[]): Promise<EncodedArchive> {
  const json = Buffer.from(JSON.stringify(messages), 'utf8');
  return { payload: await gzipAsync(json, { level: 6 }), sha256: createHash('sha256').update(json).digest('hex'), bytesRaw: json.length };
}

/** Reads an archive back, checking its checksum. */
export async function decodeArchive<T>(payload: Buffer, sha256: string): Promise<T[]> {
  const json = await gunzipAsync(payload);
  if (createHash('sha256').update(json).digest('hex') !== sha256) throw new ArchiveDamagedError();
  return JSON.parse(json.toString('utf8')) as T[];
}
