import type { NextConfig } from 'next';

const config: NextConfig = {
  output: 'export',
  trailingSlash: true,
  images: { unoptimized: true },
  reactStrictMode: true,
  poweredByHeader: false,
  // The API contract is TypeScript source (types and the SSE parsers), compiled with the app.
  transpilePackages: ['@consult-on/api-contract'],
};

export default config;
