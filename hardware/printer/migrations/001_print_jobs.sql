-- The durable print queue. A job is encoded when it is asked for, so what
-- prints later is exactly what was asked for.
CREATE TABLE print_jobs (
	id         INTEGER PRIMARY KEY,
	kind       TEXT    NOT NULL,
	data       BLOB    NOT NULL,
	state      TEXT    NOT NULL CHECK (state IN ('queued', 'printing', 'printed', 'cancelled')),
	reason     TEXT    NOT NULL DEFAULT '',
	created_ms INTEGER NOT NULL,
	updated_ms INTEGER NOT NULL
);
CREATE INDEX print_jobs_queued ON print_jobs(state, id);
