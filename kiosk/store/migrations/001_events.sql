-- The append-only event log. seq is the device's own gap-free counter:
-- AUTOINCREMENT never reuses a number, and a rolled-back insert rolls back
-- sqlite_sequence with it, so committed events number 1, 2, 3… with no gaps,
-- even after acknowledged events are pruned.
CREATE TABLE events (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind         TEXT    NOT NULL,
	version      INTEGER NOT NULL,
	payload      BLOB    NOT NULL,
	wall_ms      INTEGER NOT NULL, -- device wall clock, Unix milliseconds
	clock_synced INTEGER NOT NULL  -- 1 if the clock was synced at wall_ms
) STRICT;

-- Upload state of the outbox, one row per destination ("hub").
CREATE TABLE outbox (
	dest        TEXT PRIMARY KEY,
	acked_seq   INTEGER NOT NULL DEFAULT 0,
	acked_ms    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Small key/value facts about this database (e.g. when it was created).
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
