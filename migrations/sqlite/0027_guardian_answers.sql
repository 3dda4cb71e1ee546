-- What a guardian gives with consent (an emergency contact; medical notes, sensitive),
-- and a consent declined through the link.
ALTER TABLE nominations ADD COLUMN emergency_name TEXT;
ALTER TABLE nominations ADD COLUMN emergency_phone TEXT;
ALTER TABLE nominations ADD COLUMN medical_notes TEXT;
ALTER TABLE nominations ADD COLUMN consent_declined_at BIGINT;
