import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * An optional whole-number query parameter from `min` to `max`: the bounds the validation checks
 * are the bounds the API's document states (one place for both).
 */
function WholeNumberQuery(min: number, max: number, doc: ApiPropertyOptions = {}): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ ...doc, type: Number, minimum: min, maximum: max } as ApiPropertyOptions), IsOptional(), Type(() => Number), IsInt(), Min(min), Max(max));
}

/** `?limit=` — at most 100 items a page. */
class LimitQuery {
  @WholeNumberQuery(1, 100, { default: 20 })
  limit?: number;
}

/** `?limit=&offset=` for lists a person pages through. */
export class OffsetPageQuery extends LimitQuery {
  @WholeNumberQuery(0, 1_000_000, { default: 0 })
  offset?: number;
}

/** `?limit=&before=` for the ledger, newest first: stable while new entries arrive. */
export class CursorPageQuery extends LimitQuery {
  @WholeNumberQuery(1, Number.MAX_SAFE_INTEGER, { description: 'Entries older than this id' })
  before?: number;
}

/** `?page=&pageSize=` for admin tables with numbered pages: pages from 1, at most 100 rows each. */
export class NumberedPageQuery {
  @WholeNumberQuery(1, 100_000, { default: 1 })
  page?: number;

  @WholeNumberQuery(1, 100, { default: 20 })
  pageSize?: number;
}
