import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// next.config.ts's `trailingSlash: true`, which the Next build hands to next/link this way.
process.env.__NEXT_TRAILING_SLASH = 'true';

// Testing Library unmounts by itself only when test globals are on; here they are not.
afterEach(cleanup);
