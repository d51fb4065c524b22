-- An event Kafka refuses for good (too large, invalid) is set aside instead of being resent every
-- cycle: it stays unsent, with when and why, and holds back only its own entity's later events
-- until an admin retries it (GET/POST /api/v1/outbox/dead-letters).
-- One statement, so a start-up killed half-way leaves all of it or none.
ALTER TABLE outbox ADD COLUMN dead_lettered_at DATETIME(6) NULL, ADD COLUMN dead_letter_reason VARCHAR(1000) NULL,
  ADD INDEX ix_outbox_dead_lettered (dead_lettered_at);
