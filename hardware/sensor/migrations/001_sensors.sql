-- Raw readings, kept locally for hardware.sensor_raw_retention; flagged
-- ones (outside the physical range) are kept to diagnose a sensor, never
-- aggregated.
CREATE TABLE sensor_raw (
	sensor   TEXT    NOT NULL,
	quantity TEXT    NOT NULL,
	t_ms     INTEGER NOT NULL,
	value    REAL    NOT NULL,
	flagged  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sensor_raw_time ON sensor_raw(t_ms);

-- One-minute aggregates: the view of the sensor.minute events.
CREATE TABLE sensor_minutes (
	sensor    TEXT    NOT NULL,
	place     TEXT    NOT NULL,
	quantity  TEXT    NOT NULL,
	minute_ms INTEGER NOT NULL,
	min       REAL    NOT NULL,
	mean      REAL    NOT NULL,
	max       REAL    NOT NULL,
	count     INTEGER NOT NULL,
	flagged   INTEGER NOT NULL,
	PRIMARY KEY (sensor, quantity, minute_ms)
);
CREATE INDEX sensor_minutes_series ON sensor_minutes(place, quantity, minute_ms);
