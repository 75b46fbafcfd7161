-- Small key/value state of the sync client: request-counter reservation,
-- the hub state's ETag, applied versions, notices. Bounded: a fixed set of
-- keys, overwritten in place.
CREATE TABLE sync_kv (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
);
