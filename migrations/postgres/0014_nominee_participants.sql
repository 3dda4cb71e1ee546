-- A confirmed nominee takes part as a participant of the cohort (attendance, graduation),
-- through an application row created at confirmation.
ALTER TABLE nominations ADD COLUMN application_id BIGINT REFERENCES applications (id) ON DELETE SET NULL;
