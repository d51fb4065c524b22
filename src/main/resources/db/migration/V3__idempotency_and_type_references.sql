-- Runtime types may declare references (attribute -> target type), checked at commit like built-ins.
ALTER TABLE entity_types ADD COLUMN references_json JSON NULL AFTER json_schema;

-- Idempotency-Key records: the first successful response, written in the transaction of the writes.
CREATE TABLE idempotency_keys (
  subject       VARCHAR(255) NOT NULL,
  idem_key      VARCHAR(255) NOT NULL,
  request_hash  CHAR(64)     NOT NULL,
  status        SMALLINT     NOT NULL,
  response      JSON         NOT NULL,
  created_at    DATETIME(6)  NOT NULL,
  expires_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (subject, idem_key),
  KEY ix_idempotency_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
