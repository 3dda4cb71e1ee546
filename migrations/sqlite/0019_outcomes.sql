-- Outcome surveys and alumni.
--
-- Anonymity is a property of this schema: survey_responses holds no person, no
-- application, no invitation and no time finer than the month. Pre and post sheets of one person
-- share a pair code, a keyed hash computed with a key that lives outside the database.
-- Invitations say only whether their link was used, never when.

-- A program's survey: one instrument asked before the class and again after it.
CREATE TABLE surveys (
    program_id  INTEGER PRIMARY KEY REFERENCES programs (id) ON DELETE CASCADE,
    active      BOOLEAN NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Every wording a survey has had; a version that has answers is never changed.
CREATE TABLE survey_versions (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES surveys (program_id) ON DELETE CASCADE,
    version     INTEGER NOT NULL CHECK (version >= 1),
    instrument  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (program_id, version)
);

-- One single-use link per participant and phase.
CREATE TABLE survey_invitations (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    phase           TEXT NOT NULL CHECK (phase IN ('pre', 'post')),
    token_hash      TEXT NOT NULL UNIQUE,
    used            BOOLEAN NOT NULL DEFAULT 0,
    sent_at         BIGINT NOT NULL,
    UNIQUE (application_id, phase)
);

-- An answer sheet. Its id is random, so not even insertion order is kept.
CREATE TABLE survey_responses (
    id           TEXT PRIMARY KEY,
    version_id   INTEGER NOT NULL REFERENCES survey_versions (id) ON DELETE CASCADE,
    class_id     INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    phase        TEXT NOT NULL CHECK (phase IN ('pre', 'post')),
    answered_in  TEXT NOT NULL,
    pair_code    TEXT NOT NULL,
    answers      TEXT NOT NULL,
    UNIQUE (class_id, phase, pair_code)
);
CREATE INDEX survey_responses_by_class ON survey_responses (class_id, phase);

-- Graduates who asked to hear about volunteer opportunities and alumni events.
CREATE TABLE alumni (
    application_id     INTEGER PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    unsubscribe_token  TEXT NOT NULL UNIQUE,
    opted_in_at        BIGINT NOT NULL
);

-- Secrets the service makes for itself when configuration gives none.
CREATE TABLE instance_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
