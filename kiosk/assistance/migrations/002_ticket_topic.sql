-- The guide a ticket asked about ('' for none), so a ticket called after a
-- restart still prefills the service record.
ALTER TABLE tickets ADD COLUMN topic TEXT NOT NULL DEFAULT '';
