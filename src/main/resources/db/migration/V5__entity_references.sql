-- References declared by runtime-registered types (attribute -> target type), one row per link, so
-- a delete can find who still points at an entity, and the database refuses a dangling one even
-- against a race: the target must stay in entity_ids while a row names it. A referrer's rows go
-- with it (ON DELETE CASCADE). Built-in types keep their own foreign keys.
CREATE TABLE IF NOT EXISTS entity_references (
  from_id    VARCHAR(64) NOT NULL,
  field      VARCHAR(64) NOT NULL,
  from_type  VARCHAR(64) NOT NULL,
  target_id  VARCHAR(64) NOT NULL,
  PRIMARY KEY (from_id, field),
  KEY ix_entity_references_target (target_id),
  CONSTRAINT fk_entity_references_from FOREIGN KEY (from_id) REFERENCES entity_ids (id) ON DELETE CASCADE,
  CONSTRAINT fk_entity_references_target FOREIGN KEY (target_id) REFERENCES entity_ids (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Links of entities stored before this migration; one already dangling is not recorded (it cannot be).
-- Both statements may run again (a start-up killed between them re-applies the file).
INSERT IGNORE INTO entity_references (from_id, field, from_type, target_id)
SELECT c.id, r.field, c.entity_type, target.id
FROM entity_types t,
     JSON_TABLE(JSON_KEYS(t.references_json), '$[*]' COLUMNS (field VARCHAR(64) PATH '$')) AS r,
     custom_entities c,
     entity_ids target
WHERE t.references_json IS NOT NULL
  AND c.entity_type = t.name
  AND target.id = JSON_UNQUOTE(JSON_EXTRACT(c.attributes, CONCAT('$.', r.field)));
