-- The teen academy: schools, their counselors, per-school quotas, nominations and
-- guardian consent.
CREATE TABLE schools (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    district        TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);

-- Which schools a counselor works for; a counselor sees only these schools' students.
CREATE TABLE counselor_schools (
    staff_id        BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    school_id       BIGINT NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, school_id)
);

-- How many students a school may nominate for one cohort (no row: no limit).
CREATE TABLE school_quotas (
    class_id        BIGINT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    school_id       BIGINT NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    seats           BIGINT NOT NULL CHECK (seats >= 0),
    PRIMARY KEY (class_id, school_id)
);

-- Minors' personal fields are blanked by the retention job (erased_at set); the row and
-- its school, grade and outcome stay for anonymous counts.
CREATE TABLE nominations (
    id              INTEGER PRIMARY KEY,
    class_id        BIGINT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    school_id       BIGINT NOT NULL REFERENCES schools (id) ON DELETE RESTRICT,
    status          TEXT NOT NULL CHECK (status IN ('nominated', 'accepted', 'confirmed', 'declined', 'withdrawn')),
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    grade           BIGINT NOT NULL CHECK (grade IN (11, 12)),
    student_number  TEXT NOT NULL,
    guardian_name   TEXT NOT NULL,
    guardian_email  TEXT NOT NULL,
    decision_reason TEXT,
    nominated_by    TEXT NOT NULL,
    consent_name    TEXT,
    consent_at      BIGINT,
    consent_version TEXT,
    media_consent   BOOLEAN NOT NULL DEFAULT 0,
    erased_at       BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX nominations_by_class ON nominations (class_id, school_id);
CREATE UNIQUE INDEX nominations_one_per_student ON nominations (class_id, school_id, student_number);

-- Single-use consent links emailed to guardians; only the hash is kept.
CREATE TABLE consent_links (
    token_hash      TEXT PRIMARY KEY,
    nomination_id   BIGINT NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
