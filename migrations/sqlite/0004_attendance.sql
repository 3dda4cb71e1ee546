-- Attendance per session and the program's graduation rule.

ALTER TABLE programs ADD COLUMN graduation_rule TEXT NOT NULL DEFAULT '{}';

CREATE TABLE attendance (
    session_id      INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    mark            TEXT NOT NULL CHECK (mark IN ('present', 'late', 'excused', 'absent')),
    recorded_by     TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL,
    PRIMARY KEY (session_id, application_id)
);
