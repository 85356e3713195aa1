import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema offline; no database connection is needed.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/database/schema.ts',
  out: './drizzle',
});
