-- Pseudonymous citizens. id is HMAC-SHA256 of the codice fiscale (or of the
-- ID document) under the deployment secret; the raw code is never stored.
-- sealed holds the identity (CF, names, document) sealed to the export key,
-- or '' once the retention limit erased it.
CREATE TABLE citizens (
	id            TEXT PRIMARY KEY,
	gender        TEXT NOT NULL,           -- AN7
	education     TEXT NOT NULL DEFAULT '', -- AN9
	employment    TEXT NOT NULL DEFAULT '', -- AN10
	citizenship   TEXT NOT NULL DEFAULT '', -- AN11
	province      TEXT NOT NULL DEFAULT '', -- AN12
	sealed        TEXT NOT NULL DEFAULT '',
	first_seen_ms INTEGER NOT NULL,
	last_seen_ms  INTEGER NOT NULL,
	erased_ms     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Privacy-notice acknowledgements: when, how, which notice.
CREATE TABLE consents (
	citizen TEXT NOT NULL,
	notice  TEXT NOT NULL,
	method  TEXT NOT NULL,
	at_ms   INTEGER NOT NULL,
	seq     INTEGER NOT NULL,
	PRIMARY KEY (citizen, notice)
) STRICT;

-- Data keys wrapped to the export public key (see package seal).
CREATE TABLE seal_keys (
	id         TEXT PRIMARY KEY,
	recipient  TEXT NOT NULL,
	wrapped    BLOB NOT NULL,
	created_ms INTEGER NOT NULL
) STRICT;
