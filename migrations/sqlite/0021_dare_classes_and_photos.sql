-- DARE at schools: a class is one classroom (school, teacher, grade, how many students)
-- taught a series of lessons by a DARE instructor, ending in a graduation that records
-- how many students graduated. Students are counted, never named: certificates are typeset
-- from names typed at graduation and not kept.
CREATE TABLE dare_classes (
    id              INTEGER PRIMARY KEY,
    school_id       INTEGER NOT NULL REFERENCES schools (id),
    teacher         TEXT NOT NULL,
    grade           INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 12),
    students        INTEGER NOT NULL CHECK (students BETWEEN 1 AND 60),
    instructor_id   INTEGER NOT NULL REFERENCES staff (id),
    request_id      INTEGER REFERENCES service_requests (id),
    status          TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'graduated', 'cancelled')),
    graduated_on    TEXT,
    graduates       INTEGER CHECK (graduates >= 0 AND graduates <= students),
    certificates    INTEGER NOT NULL DEFAULT 0 CHECK (certificates >= 0),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK ((status = 'graduated') = (graduates IS NOT NULL AND graduated_on IS NOT NULL))
);
CREATE INDEX dare_classes_by_instructor ON dare_classes (instructor_id);
CREATE INDEX dare_classes_by_request ON dare_classes (request_id);

CREATE TABLE dare_lessons (
    id              INTEGER PRIMARY KEY,
    class_id        INTEGER NOT NULL REFERENCES dare_classes (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 1),
    topic           TEXT NOT NULL,
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL CHECK (ends_at > starts_at),
    status          TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'taught', 'cancelled')),
    present         INTEGER CHECK (present >= 0),
    -- Raised on every change, so calendar applications replace their copy (SEQUENCE).
    sequence        INTEGER NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL,
    UNIQUE (class_id, position)
);
CREATE INDEX dare_lessons_by_start ON dare_lessons (starts_at);

-- An officer's portrait for the public program pages, shown only while the officer
-- agrees (staff.public_profile). Stored as the JPEG we re-encoded: no camera metadata.
CREATE TABLE staff_photos (
    staff_id        INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    jpeg            BLOB NOT NULL,
    width           INTEGER NOT NULL CHECK (width BETWEEN 1 AND 320),
    height          INTEGER NOT NULL CHECK (height BETWEEN 1 AND 400),
    updated_at      BIGINT NOT NULL
);
