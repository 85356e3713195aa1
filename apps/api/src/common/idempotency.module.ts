import { Global, Module } from '@nestjs/common';
import { IdempotencyRepository } from './idempotency.repository.js';

/**
 * The idempotency keys' table, for every module that provides `IdempotencyService` (the quota
 * module does, for the ledger, payments and chat): global, like the database it wraps.
 */
@Global()
@Module({ providers: [IdempotencyRepository], exports: [IdempotencyRepository] })
export class IdempotencyModule {}
