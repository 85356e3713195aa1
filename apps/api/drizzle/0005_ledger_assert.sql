-- Lets one statement abort itself (and so roll back all it wrote) when what it wrote is not what
-- it was asked to: a ledger change that applied without closing its hold, say. Used by the
-- ledger's single-statement writes, which may commit alone.
CREATE OR REPLACE FUNCTION ledger_assert(ok boolean, message text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'ledger invariant: %', message USING ERRCODE = 'P0001';
  END IF;
  RETURN true;
END;
$$;
