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

-- Selective traffic enforcement: where, when and why, and what was found. Observed
-- speeds are kept as readings (JSON array of mph), summed into percentiles when shown.
CREATE TABLE traffic_operations (
    id            INTEGER PRIMARY KEY,
    place         TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('resident_request', 'crash_history', 'school_zone')),
    request_id    INTEGER REFERENCES service_requests (id),
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT NOT NULL CHECK (ends_at > starts_at),
    speed_limit   INTEGER NOT NULL CHECK (speed_limit BETWEEN 5 AND 85),
    stops         INTEGER CHECK (stops >= 0),
    warnings      INTEGER CHECK (warnings >= 0),
    citations     INTEGER CHECK (citations >= 0),
    speeds        TEXT NOT NULL DEFAULT '[]',
    notes         TEXT NOT NULL DEFAULT '',
    results_at    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX traffic_operations_by_request ON traffic_operations (request_id);

CREATE TABLE traffic_operation_officers (
    operation_id  INTEGER NOT NULL REFERENCES traffic_operations (id) ON DELETE CASCADE,
    staff_id      INTEGER NOT NULL REFERENCES staff (id),
    PRIMARY KEY (operation_id, staff_id)
);

-- Training an officer gives colleagues: topic, day, length and who attended.
CREATE TABLE officer_trainings (
    id          INTEGER PRIMARY KEY,
    trainer_id  INTEGER NOT NULL REFERENCES staff (id),
    topic       TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    minutes     INTEGER NOT NULL CHECK (minutes BETWEEN 15 AND 2400),
    created_at  BIGINT NOT NULL
);
CREATE INDEX officer_trainings_by_day ON officer_trainings (held_on);

CREATE TABLE officer_training_attendees (
    training_id  INTEGER NOT NULL REFERENCES officer_trainings (id) ON DELETE CASCADE,
    staff_id     INTEGER NOT NULL REFERENCES staff (id),
    PRIMARY KEY (training_id, staff_id)
);
