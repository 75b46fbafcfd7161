-- The staff roster. The hub owns it and sync writes it; a kiosk with no hub
-- fills it with `officina staff add`.
CREATE TABLE staff (
	id       TEXT PRIMARY KEY, -- national facilitator ID (IDFacilitatore)
	name     TEXT NOT NULL,    -- full name as registered (NominativoFacilitatore)
	role     TEXT NOT NULL,    -- facilitator, volunteer, coordinator
	card     TEXT NOT NULL UNIQUE,
	pin_hash TEXT NOT NULL,
	active   INTEGER NOT NULL DEFAULT 1,
	updated_ms INTEGER NOT NULL
) STRICT;

-- Wrong-PIN counting per card.
CREATE TABLE staff_lockout (
	card            TEXT PRIMARY KEY,
	failures        INTEGER NOT NULL,
	locked_until_ms INTEGER NOT NULL DEFAULT 0
) STRICT;
