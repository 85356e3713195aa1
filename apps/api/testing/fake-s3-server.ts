import { createHash } from 'node:crypto';
import { LocalServer } from './local-server.js';

/**
 * An S3-compatible stand-in for tests over real HTTP, path-style (`/<bucket>/<key>`): PutObject,
 * GetObject (404 NoSuchKey as S3 answers it), DeleteObject; requests must carry an AWS SigV4
 * Authorization header for the configured access key (the signature itself is not checked).
 */
export interface FakeS3 {
  url(accessKey: string, secret: string, bucket: string): string;
  objects: Map<string, Buffer>;
  /** The next `count` requests answer 500 (an outage). */
  failNext(count: number): void;
  close(): Promise<void>;
}

export async function startFakeS3(accessKey = 'test-access'): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  let failures = 0;
  const server = await LocalServer.listen((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://s3.local').pathname);
      const auth = String(request.headers.authorization ?? '');
      if (failures > 0) {
        failures -= 1;
        response.writeHead(500, { 'content-type': 'application/xml' }).end('<Error><Code>InternalError</Code></Error>');
        return;
      }
      if (!auth.startsWith('AWS4-HMAC-SHA256') || !auth.includes(`Credential=${accessKey}/`)) {
        response.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
        return;
      }
      if (request.method === 'PUT') {
        const body = Buffer.concat(chunks);
        objects.set(path, body);
        response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
      } else if (request.method === 'GET') {
        const body = objects.get(path);
        if (!body) response.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
        else response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
      } else if (request.method === 'DELETE') {
        objects.delete(path);
        response.writeHead(204).end();
      } else {
        response.writeHead(405).end();
      }
    });
  });
  return {
    url: (access, secret, bucket) => `${server.origin.replace('http://', `http://${access}:${secret}@`)}/${bucket}`,
    objects,
    failNext: (count) => {
      failures = count;
    },
    close: () => server.close(),
  };
}
