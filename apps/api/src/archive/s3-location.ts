/** ARCHIVE_S3_URL read: `https://ACCESS_KEY:SECRET@host[:port]/bucket[?region=…]`. */
export interface S3Location {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function parseS3Url(value: string): S3Location {
  const url = new URL(value);
  const bucket = url.pathname.replace(/^\/+|\/+$/g, '');
  if (!/^https?:$/.test(url.protocol) || !url.username || !url.password || !bucket || bucket.includes('/')) {
    throw new Error('ARCHIVE_S3_URL must be https://ACCESS_KEY:SECRET@host[:port]/bucket');
  }
  return {
    endpoint: `${url.protocol}//${url.host}`,
    bucket,
    region: url.searchParams.get('region') ?? 'us-east-1',
    accessKeyId: decodeURIComponent(url.username),
    secretAccessKey: decodeURIComponent(url.password),
  };
}
