import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { organizations } from './schema-organizations.js';
import { users } from './schema.js';

/**
 * API keys for other clients (`/v1`, OpenAI's wire format). A key is shown once; only the SHA-256
 * of the whole key is kept, found by its public prefix. A personal key spends its creator's tokens,
 * an organization's key the organization's pool.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Who made it; a personal key's tokens are theirs. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The organization whose pool it spends (made by one of its owners or admins); null for a personal key. */
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** `co_live_` and the key's next 12 characters: listed, and how the key is found (the rest is secret). */
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    /** Updated at most once a minute per key. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('api_keys_prefix_key').on(table.prefix),
    index('api_keys_user_idx').on(table.userId),
    index('api_keys_organization_idx').on(table.organizationId),
  ],
);
