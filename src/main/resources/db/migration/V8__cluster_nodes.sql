-- The nodes that have run against this database (one row per process start), so that any node can
-- tell a unit lost with its node (410) from an id that never existed (404). A unit id begins with
-- its node's tag. Rows of nodes silent for longer than a unit can live are purged.
CREATE TABLE uow_nodes (
  tag         CHAR(8)      NOT NULL PRIMARY KEY,
  node_id     VARCHAR(64)  NOT NULL,
  started_at  DATETIME(6)  NOT NULL,
  seen_at     DATETIME(6)  NOT NULL,
  KEY ix_uow_nodes_seen (seen_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Clustered mode: each subject's default unit (the seed paths without X-Unit-Of-Work-Id), found
-- from any node. subject_hash = SHA-256 of the subject; the unit's id names its owning node.
CREATE TABLE uow_default_units (
  subject_hash CHAR(64)     NOT NULL PRIMARY KEY,
  unit_id      CHAR(36)     NOT NULL,
  node_tag     CHAR(8)      NOT NULL,
  created_at   DATETIME(6)  NOT NULL,
  KEY ix_uow_default_units_node (node_tag)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
