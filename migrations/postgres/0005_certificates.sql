-- Numbered completion certificates, verifiable on a public page.
CREATE TABLE certificates (
    number          TEXT PRIMARY KEY,
    application_id  BIGINT NOT NULL UNIQUE REFERENCES applications (id) ON DELETE CASCADE,
    full_name       TEXT NOT NULL,
    program_name    TEXT NOT NULL,
    class_name      TEXT NOT NULL,
    completed_on    TEXT NOT NULL,
    issued_at       BIGINT NOT NULL
);
