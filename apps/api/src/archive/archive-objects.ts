import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from './s3-location.js';

/** Where archives are kept when not in PostgreSQL: an S3-compatible object store (ARCHIVE_S3_URL). */
export interface ArchiveObjects {
  put(key: string, body: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  delete(key: string): Promise<void>;
}

export const ARCHIVE_OBJECTS = Symbol('ARCHIVE_OBJECTS');

/** The AWS SDK v3 against any S3-compatible store (path-style: MinIO, R2, Ceph and S3 itself). */
export class S3ArchiveObjects implements ArchiveObjects {
  private readonly client: S3Client;

  constructor(private readonly location: S3Location) {
    this.client = new S3Client({
      endpoint: location.endpoint,
      region: location.region,
      forcePathStyle: true,
      credentials: { accessKeyId: location.accessKeyId, secretAccessKey: location.secretAccessKey },
      // Checksums only where S3 requires them: the archive row keeps its own SHA-256.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: key, Body: body, ContentType: 'application/gzip' }));
  }

  async get(key: string): Promise<Buffer> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key }));
  }
}
