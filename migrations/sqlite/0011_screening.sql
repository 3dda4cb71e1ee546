-- Screening stages a program defines, and the roles that may see sensitive results.
ALTER TABLE programs ADD COLUMN screening TEXT NOT NULL DEFAULT '{}';
ALTER TABLE department ADD COLUMN sensitive_roles TEXT NOT NULL DEFAULT 'admin,coordinator';

-- One reviewer's word on one stage of one application. Append-only like the audit log:
-- a reviewer changes their mind by adding a later entry.
CREATE TABLE screening_entries (
    id              INTEGER PRIMARY KEY,
    application_id  BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    stage           TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('passed', 'needs_information', 'failed')),
    reason_code     TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    reviewer        TEXT NOT NULL,
    reviewer_name   TEXT NOT NULL,
    recorded_at     BIGINT NOT NULL
);
CREATE INDEX screening_entries_by_application ON screening_entries (application_id, id);
