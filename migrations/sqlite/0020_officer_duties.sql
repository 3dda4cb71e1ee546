-- Resource officers' activity log: what they did at a school or college, for how long
-- and for how many people. No student is named: places are schools from the list, and
-- the note is short (the form warns when it looks like it holds names).
CREATE TABLE activity_logs (
    id              INTEGER PRIMARY KEY,
    staff_id        INTEGER NOT NULL REFERENCES staff (id),
    kind            TEXT NOT NULL CHECK (kind IN ('presentation', 'mentoring', 'staff_meeting', 'event',
                        'safety_drill', 'incident_follow_up')),
    school_id       INTEGER NOT NULL REFERENCES schools (id),
    occurred_on     TEXT NOT NULL,
    minutes         INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 720),
    people_reached  INTEGER NOT NULL CHECK (people_reached BETWEEN 0 AND 5000),
    note            TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX activity_logs_by_staff ON activity_logs (staff_id, occurred_on);
CREATE INDEX activity_logs_by_day ON activity_logs (occurred_on);

-- A DARE instructor's certification; required for that duty, unused for others.
ALTER TABLE staff_duties ADD COLUMN certified_on TEXT;
