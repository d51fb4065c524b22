-- Transactional outbox: a commit's domain events, written in the commit's own transaction and
-- published to Kafka afterwards by the relay (committed => published at least once).
-- seq orders the rows: a later event of an entity always gets a higher seq, because a commit that
-- touches the entity waits for the earlier commit's row locks before it inserts its own rows.
CREATE TABLE outbox (
  seq           BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event_id      CHAR(36)     NOT NULL,
  event_key     VARCHAR(64)  NOT NULL,
  event_type    VARCHAR(32)  NOT NULL,
  payload       JSON         NOT NULL,
  created_at    DATETIME(6)  NOT NULL,
  sent_at       DATETIME(6)  NULL,
  claimed_by    VARCHAR(64)  NULL,
  claimed_until DATETIME(6)  NULL,
  attempts      INT          NOT NULL DEFAULT 0,
  UNIQUE KEY uq_outbox_event_id (event_id),
  KEY ix_outbox_pending (sent_at, seq),
  -- the relay's per-entity order check: an earlier unsent row of the same key
  KEY ix_outbox_key_unsent (event_key, sent_at, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
