-- Single-use password-reset links for staff, stored as SHA-256 of the token.
CREATE TABLE staff_password_resets (
    token_hash      TEXT PRIMARY KEY,
    staff_id        BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT,
    created_at      BIGINT NOT NULL
);
