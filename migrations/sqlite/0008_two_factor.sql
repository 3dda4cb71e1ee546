-- Optional time-based one-time passwords for staff.
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT;
