CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
CREATE TABLE sites (
	id   TEXT PRIMARY KEY,
	name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE enrol_codes (
	code       TEXT PRIMARY KEY,
	site       TEXT NOT NULL,
	expires_ms INTEGER NOT NULL,
	used_by    TEXT
);
CREATE TABLE devices (
	num             INTEGER PRIMARY KEY,
	id              TEXT NOT NULL UNIQUE,
	public_key      BLOB NOT NULL,
	site            TEXT NOT NULL,
	name            TEXT NOT NULL DEFAULT '',
	enrolled_ms     INTEGER NOT NULL,
	revoked_ms      INTEGER,
	counter         INTEGER NOT NULL DEFAULT 0,
	acked           INTEGER NOT NULL DEFAULT 0,
	last_contact_ms INTEGER,
	backlog         INTEGER NOT NULL DEFAULT 0,
	version         TEXT NOT NULL DEFAULT '',
	clock_offset_ms INTEGER NOT NULL DEFAULT 0,
	clock_synced    INTEGER NOT NULL DEFAULT 0,
	trouble         TEXT NOT NULL DEFAULT ''
);
-- One row per kiosk event; (device, seq) is its identity, so storing a
-- resent event changes nothing. device is devices.num.
CREATE TABLE events (
	device       INTEGER NOT NULL REFERENCES devices(num),
	seq          INTEGER NOT NULL,
	kind         TEXT NOT NULL,
	version      INTEGER NOT NULL,
	wall_ms      INTEGER NOT NULL,
	clock_synced INTEGER NOT NULL,
	corrected_ms INTEGER NOT NULL,
	received_ms  INTEGER NOT NULL,
	payload      BLOB NOT NULL,
	PRIMARY KEY (device, seq)
) WITHOUT ROWID;
CREATE TABLE notices (
	id       INTEGER PRIMARY KEY,
	site     TEXT NOT NULL DEFAULT '',
	text     TEXT NOT NULL,
	from_ms  INTEGER NOT NULL,
	until_ms INTEGER NOT NULL
);
CREATE TABLE rosters (
	site    TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	body    BLOB NOT NULL
);
CREATE TABLE site_config (
	site    TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	body    BLOB NOT NULL
);
CREATE TABLE content (
	version      INTEGER PRIMARY KEY,
	sha256       TEXT NOT NULL,
	manifest     BLOB NOT NULL,
	published_ms INTEGER NOT NULL
);
