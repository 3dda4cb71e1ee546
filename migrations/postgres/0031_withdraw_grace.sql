-- A resident's withdrawal takes effect after a short grace period, during which they can
-- take it back without losing their place.
ALTER TABLE applications ADD COLUMN withdraw_at BIGINT;
CREATE INDEX applications_withdrawing ON applications (withdraw_at) WHERE withdraw_at IS NOT NULL;
