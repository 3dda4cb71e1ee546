-- The catalog: the department, its people and units, programs, classes and sessions.
-- Instants are BIGINT Unix seconds (UTC) on both backends; local calendar dates and
-- wall-clock times are ISO text ('2026-09-01', '18:00'), interpreted in the
-- department's IANA time zone.

CREATE TABLE department (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    name          TEXT NOT NULL,
    short_name    TEXT NOT NULL,
    city          TEXT NOT NULL,
    state         TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    address       TEXT NOT NULL,
    phone         TEXT NOT NULL,
    email         TEXT NOT NULL,
    tagline       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL,
    rank          TEXT,
    badge_number  TEXT,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'officer', 'counselor')),
    password_hash TEXT,
    active        BOOLEAN NOT NULL DEFAULT 1,
    public_profile BOOLEAN NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE staff_units (
    staff_id      INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    unit_id       INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, unit_id)
);

CREATE TABLE staff_duties (
    id            INTEGER PRIMARY KEY,
    staff_id      INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    duty          TEXT NOT NULL CHECK (duty IN ('dare_instructor', 'school_resource_officer',
                      'college_resource_officer', 'field_training_officer', 'traffic')),
    assignment    TEXT,
    starts_on     TEXT NOT NULL,
    ends_on       TEXT,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX staff_duties_by_staff ON staff_duties (staff_id);

CREATE TABLE programs (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('citizen_academy', 'teen_academy', 'dare',
                      'resource_officer', 'neighborhood_watch', 'traffic_enforcement')),
    name          TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body_markdown TEXT NOT NULL DEFAULT '',
    body_html     TEXT NOT NULL DEFAULT '',
    eligibility   TEXT NOT NULL DEFAULT '{}',
    allocation    TEXT NOT NULL DEFAULT 'first_come' CHECK (allocation IN ('first_come', 'lottery')),
    position      INTEGER NOT NULL DEFAULT 0,
    published     BOOLEAN NOT NULL DEFAULT 1,
    legacy_classes   INTEGER NOT NULL DEFAULT 0 CHECK (legacy_classes >= 0),
    legacy_graduates INTEGER NOT NULL DEFAULT 0 CHECK (legacy_graduates >= 0),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE classes (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES programs (id) ON DELETE RESTRICT,
    name          TEXT NOT NULL,
    capacity      INTEGER NOT NULL CHECK (capacity >= 0),
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'announced', 'open',
                      'closed', 'in_progress', 'completed', 'cancelled')),
    registration_opens_at  BIGINT,
    registration_closes_at BIGINT,
    location_name    TEXT NOT NULL DEFAULT '',
    location_address TEXT NOT NULL DEFAULT '',
    graduates     INTEGER CHECK (graduates IS NULL OR graduates >= 0),
    allocation    TEXT NOT NULL DEFAULT 'first_come' CHECK (allocation IN ('first_come', 'lottery')),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (program_id, name),
    CHECK (registration_closes_at IS NULL OR registration_opens_at IS NULL
           OR registration_closes_at > registration_opens_at)
);
CREATE INDEX classes_by_program ON classes (program_id, status);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    class_id      INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    topic         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    local_date    TEXT NOT NULL,
    local_start   TEXT NOT NULL,
    local_end     TEXT NOT NULL,
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT NOT NULL,
    place         TEXT NOT NULL DEFAULT '',
    cancelled     BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE (class_id, position),
    CHECK (ends_at > starts_at)
);
CREATE INDEX sessions_by_start ON sessions (starts_at);

-- A presenter is a unit, optionally a named officer of it.
CREATE TABLE session_presenters (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    unit_id       INTEGER NOT NULL REFERENCES units (id) ON DELETE RESTRICT,
    staff_id      INTEGER REFERENCES staff (id) ON DELETE SET NULL
);
CREATE INDEX session_presenters_by_session ON session_presenters (session_id);
