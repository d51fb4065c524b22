-- With Kafka disabled the outbox is purged by age: an index, so a purge pass reads only what it deletes.
CREATE INDEX ix_outbox_created ON outbox (created_at);
