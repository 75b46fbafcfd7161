-- Services delivered (one row per citizen and service), for the coordinator's
-- counts; the export reads the events, which carry every field.
CREATE TABLE services (
	seq          INTEGER PRIMARY KEY, -- the service.recorded event
	citizen      TEXT NOT NULL,
	staff        TEXT NOT NULL,
	day          TEXT NOT NULL,       -- SE1, YYYY-MM-DD
	minutes      INTEGER NOT NULL,
	types        TEXT NOT NULL,       -- SE3 codes joined by ':'
	competences  TEXT NOT NULL,       -- SE5
	domains      TEXT NOT NULL        -- SE6
) STRICT;
CREATE INDEX services_day ON services(day);

-- Volunteer (intergenerational) sessions.
CREATE TABLE volunteer_sessions (
	seq          INTEGER PRIMARY KEY,
	volunteer    TEXT NOT NULL,
	day          TEXT NOT NULL,
	minutes      INTEGER NOT NULL,
	topics       TEXT NOT NULL,
	participants INTEGER NOT NULL
) STRICT;

-- Queue tickets. Numbers restart every day.
CREATE TABLE tickets (
	day       TEXT NOT NULL,
	number    INTEGER NOT NULL,
	state     TEXT NOT NULL, -- waiting, called, done, cancelled
	taken_ms  INTEGER NOT NULL,
	called_ms INTEGER NOT NULL DEFAULT 0,
	done_ms   INTEGER NOT NULL DEFAULT 0,
	staff     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (day, number)
) STRICT;

-- Device loans; one open loan per device.
CREATE TABLE loans (
	seq       INTEGER PRIMARY KEY, -- the loan.out event
	device    TEXT NOT NULL,
	citizen   TEXT NOT NULL,
	staff     TEXT NOT NULL,
	out_ms    INTEGER NOT NULL,
	due_ms    INTEGER NOT NULL,
	back_ms   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX loans_open ON loans(device) WHERE back_ms = 0;

-- Group course sessions and their attendance.
CREATE TABLE courses (
	seq       INTEGER PRIMARY KEY, -- the course.opened event
	title     TEXT NOT NULL,
	staff     TEXT NOT NULL,
	competences TEXT NOT NULL DEFAULT '', -- SE5 of the course, '' if not exported
	domains   TEXT NOT NULL DEFAULT '',   -- SE6
	opened_ms INTEGER NOT NULL,
	closed_ms INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE attendance (
	course  INTEGER NOT NULL REFERENCES courses(seq),
	citizen TEXT NOT NULL,
	gender  TEXT NOT NULL DEFAULT '', -- derived from the CF at the tap
	age_band TEXT NOT NULL DEFAULT '',
	at_ms   INTEGER NOT NULL,
	PRIMARY KEY (course, citizen)
) STRICT;
