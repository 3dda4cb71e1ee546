-- Failed staff sign-ins, counted per client address and per typed email from it
-- (domain::sign_in), in the database so every instance sees them. The email is kept
-- only as a SHA-256 hash; the jobs prune rows once they are out of the window.
CREATE TABLE sign_in_failures (
    client      TEXT NOT NULL,
    email_hash  TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_client ON sign_in_failures (client, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);

-- staff.failed_sign_ins and staff.locked_until are no longer read or written: a lock
-- per account let anyone lock an officer out and told strangers which addresses are
-- staff. A later migration drops them, once no running instance reads them.
