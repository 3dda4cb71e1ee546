-- A completed ride-along, which some programs require for graduation.
ALTER TABLE applications ADD COLUMN ride_along_done BOOLEAN NOT NULL DEFAULT 0;
