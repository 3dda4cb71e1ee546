-- Delivery details of the outbox and private calendar links.

-- Scheduled messages (reminders, expiring offers) carry a key naming their cause, so a
-- job that runs twice, or on two instances at once, queues each of them once.
ALTER TABLE outbox ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe_key);
-- List mail (interest lists) names its one-click unsubscribe address (RFC 8058).
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT;

-- A private calendar address for a participant (by email key) or a presenter (by staff
-- id). Only the token's hash is kept; a new link replaces the old one.
CREATE TABLE calendar_links (
    token_hash  TEXT PRIMARY KEY,
    owner_kind  TEXT NOT NULL CHECK (owner_kind IN ('participant', 'presenter')),
    owner_key   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (owner_kind, owner_key)
);

-- What participants bring to each session (photo ID, comfortable shoes), told in the
-- reminder the day before.
ALTER TABLE programs ADD COLUMN what_to_bring TEXT NOT NULL DEFAULT '';
