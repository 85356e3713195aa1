import { bigint, customType, timestamp } from 'drizzle-orm/pg-core';

/** A token count: a whole number, never null, zero unless written. */
export const tokens = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);
/** When a row was made. */
export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** Bytes (PostgreSQL bytea) as a Buffer. */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  // node-postgres gives a Buffer; PGlite a Uint8Array (the same bytes, without Buffer's methods).
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
});
