-- A node another node found gone is fenced (left_at): every commit checks its own node's row in
-- its transaction (a shared lock), so once a survivor has set left_at, no commit of that node can
-- land any more, and an Idempotency-Key's absence then means "not committed" for good.
ALTER TABLE uow_nodes ADD COLUMN left_at DATETIME(6) NULL;
-- A default unit lost with its node stays named (lost_at) so every seed-path call but a new
-- registration keeps answering 410: a retried commit never commits an empty unit instead.
ALTER TABLE uow_default_units ADD COLUMN lost_at DATETIME(6) NULL;
