-- A message's private link (a sign-in, a password reset, a consent form, a survey, a
-- request page) is kept beside its text, never in it, so staff views cannot show it.
-- The link is erased once the message is delivered; until then a resend replaces it
-- with a fresh one.
ALTER TABLE outbox ADD COLUMN link_kind TEXT;
ALTER TABLE outbox ADD COLUMN link_url TEXT;
ALTER TABLE outbox ADD COLUMN link_expires_at BIGINT;
