-- Applications, the waitlist, self-service links and the outbox.

-- Registration settings of a class.
ALTER TABLE classes ADD COLUMN held_back_seats INTEGER NOT NULL DEFAULT 0 CHECK (held_back_seats >= 0);
ALTER TABLE classes ADD COLUMN priority_until BIGINT;
ALTER TABLE classes ADD COLUMN priority_affiliations TEXT NOT NULL DEFAULT '[]';
ALTER TABLE classes ADD COLUMN offer_hours INTEGER NOT NULL DEFAULT 48 CHECK (offer_hours > 0);
ALTER TABLE classes ADD COLUMN corrections_until BIGINT;
ALTER TABLE classes ADD COLUMN lottery_seed TEXT;
ALTER TABLE classes ADD COLUMN lottery_seed_hash TEXT;
ALTER TABLE classes ADD COLUMN lottery_drawn_at BIGINT;

CREATE TABLE applications (
    id              INTEGER PRIMARY KEY,
    class_id        INTEGER NOT NULL REFERENCES classes (id) ON DELETE RESTRICT,
    status          TEXT NOT NULL CHECK (status IN ('entered', 'pending_review', 'confirmed', 'waitlisted',
                        'offered', 'withdrawn', 'declined', 'expired', 'denied', 'completed', 'not_completed')),
    channel         TEXT NOT NULL DEFAULT 'online' CHECK (channel IN ('online', 'staff')),
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    email           TEXT NOT NULL,
    email_key       TEXT NOT NULL,
    person_key      TEXT NOT NULL,
    phone           TEXT NOT NULL,
    date_of_birth   TEXT NOT NULL,
    city            TEXT NOT NULL,
    affiliation     TEXT NOT NULL CHECK (affiliation IN ('resides', 'works', 'studies', 'member')),
    organization    TEXT NOT NULL DEFAULT '',
    emergency_name  TEXT NOT NULL,
    emergency_phone TEXT NOT NULL,
    waiver_accepted BOOLEAN NOT NULL,
    -- Arrival order (first come) or draw order (lottery); the waitlist follows it.
    queue_rank      INTEGER NOT NULL,
    offer_expires_at BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (class_id, email_key),
    UNIQUE (class_id, person_key)
);
CREATE INDEX applications_by_status ON applications (class_id, status, queue_rank);
CREATE INDEX applications_offers ON applications (status, offer_expires_at);
CREATE INDEX applications_by_email ON applications (email_key);

-- A retried request (same Idempotency-Key, or the same form submitted twice) gets the
-- first answer back instead of a second application.
CREATE TABLE idempotency_keys (
    key             TEXT PRIMARY KEY,
    fingerprint     TEXT NOT NULL,
    application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL
);

-- Single-use sign-in links for applicants, stored as SHA-256 of the token.
CREATE TABLE access_links (
    token_hash      TEXT PRIMARY KEY,
    email_key       TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT,
    created_at      BIGINT NOT NULL
);

-- Applicant sessions opened by a link, stored as SHA-256 of the cookie value.
CREATE TABLE applicant_sessions (
    id_hash         TEXT PRIMARY KEY,
    email_key       TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);

-- Messages waiting to be delivered, written in the same transaction as their cause.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    locked_until    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_pending ON outbox (status, id);

-- "Tell me when the next class opens."
CREATE TABLE interest_subscriptions (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    email_key       TEXT NOT NULL,
    -- Stored as is (not hashed): it can only unsubscribe this address from this list,
    -- and every later email must carry it.
    unsubscribe_token TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    unsubscribed_at BIGINT,
    UNIQUE (program_id, email_key)
);
