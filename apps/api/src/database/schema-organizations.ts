import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { users } from './schema.js';

export const ORGANIZATION_ROLES = ['OWNER', 'ADMIN', 'MEMBER'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

/** A company account: its people (members with a role); its token pool is the token account with its id. */
export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const organizationMembers = pgTable(
  'organization_members',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ORGANIZATION_ROLES }).notNull(),
    /** Tokens a month the member may use of the pool; null: no limit of their own. */
    monthlyLimitTokens: bigint('monthly_limit_tokens', { mode: 'number' }),
    /**
     * The member's use of the pool, kept beside the pool's ledger like an account's balances:
     * `held_tokens` and `open_holds` equal the pool's open holds of the member's turns,
     * `consumed_tokens` the pool's consumption for them in `period_key`. Written only with a
     * change of the pool, under its lock.
     */
    periodKey: text('period_key'),
    heldTokens: bigint('held_tokens', { mode: 'number' }).notNull().default(0),
    consumedTokens: bigint('consumed_tokens', { mode: 'number' }).notNull().default(0),
    openHolds: integer('open_holds').notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.organizationId, table.userId] }),
    index('organization_members_user_idx').on(table.userId),
    check('organization_members_role_check', sql`${table.role} in ('OWNER', 'ADMIN', 'MEMBER')`),
    check('organization_members_limit_check', sql`${table.monthlyLimitTokens} is null or ${table.monthlyLimitTokens} >= 0`),
    check('organization_members_usage_check', sql`${table.heldTokens} >= 0 and ${table.consumedTokens} >= 0 and ${table.openHolds} >= 0`),
  ],
);

/**
 * An invitation link: only the SHA-256 of its one-time token is kept. It expires, can be
 * revoked, and is used once (`accepted_by`).
 */
export const organizationInvitations = pgTable(
  'organization_invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull(),
    role: text('role', { enum: ORGANIZATION_ROLES }).notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('organization_invitations_token_key').on(table.tokenHash),
    index('organization_invitations_org_idx').on(table.organizationId),
    check('organization_invitations_role_check', sql`${table.role} in ('ADMIN', 'MEMBER')`),
  ],
);
