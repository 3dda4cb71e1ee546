-- How late someone arrived, and whether a missed session was made up, for the
-- programs whose graduation rule looks at either.
ALTER TABLE attendance ADD COLUMN minutes_late INTEGER CHECK (minutes_late IS NULL OR minutes_late >= 0);
ALTER TABLE attendance ADD COLUMN made_up BOOLEAN NOT NULL DEFAULT 0;
