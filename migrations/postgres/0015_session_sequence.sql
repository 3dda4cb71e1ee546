-- iCalendar SEQUENCE: bumped whenever a session changes or is cancelled, so calendar
-- clients replace their copy.
ALTER TABLE sessions ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
