-- An Idempotency-Key is bound to what it committed: request_hash is now the hash of the content
-- (a unit's entries, a transaction's body); scope_hash names the request it came with (which unit,
-- or the transaction body), so a retry after the commit emptied its unit still finds its outcome.
ALTER TABLE idempotency_keys ADD COLUMN scope_hash CHAR(64) NULL AFTER request_hash;
