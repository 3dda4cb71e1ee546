-- Staff sign-in, sessions, API tokens and the audit log.

ALTER TABLE staff ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until BIGINT;

-- Server-side sessions, shared by every instance; only the hash of the cookie is kept.
CREATE TABLE staff_sessions (
    id_hash         TEXT PRIMARY KEY,
    staff_id        INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

-- Bearer tokens for the staff JSON API, scoped to a role, revocable, stored hashed.
CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'officer', 'counselor')),
    token_hash      TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);

-- Every staff change: who, what, when, before and after. Append-only.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              BIGINT NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    before_json     TEXT,
    after_json      TEXT
);
CREATE INDEX audit_by_object ON audit_log (object_type, object_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
