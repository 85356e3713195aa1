-- The usage level of `consumed` out of `capacity` tokens for the given thresholds (basis points:
-- 1 % = 100). The same rule as levelOf in packages/quota-policy/src/usage.ts, which a property
-- test holds it to (apps/api/src/database/usage-level.test.ts): each boundary belongs to the level
-- above it, and no capacity means BLOCKED. Inlined by the planner (a single immutable SELECT).
CREATE FUNCTION usage_level(consumed bigint, capacity bigint, notice integer, warning integer, critical integer, block integer)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN capacity <= 0 THEN 'BLOCKED'
    WHEN consumed * 10000 >= block::bigint * capacity THEN 'BLOCKED'
    WHEN consumed * 10000 >= critical::bigint * capacity THEN 'CRITICAL'
    WHEN consumed * 10000 >= warning::bigint * capacity THEN 'WARNING'
    WHEN consumed * 10000 >= notice::bigint * capacity THEN 'NOTICE'
    ELSE 'NORMAL'
  END
$$;
