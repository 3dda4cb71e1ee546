-- Staff review of applications: background-check status and the decision.
ALTER TABLE applications ADD COLUMN background_check TEXT NOT NULL DEFAULT 'not_started'
    CHECK (background_check IN ('not_started', 'in_progress', 'cleared', 'not_cleared'));
ALTER TABLE applications ADD COLUMN decision_reason TEXT;
ALTER TABLE applications ADD COLUMN reviewed_by TEXT;
ALTER TABLE applications ADD COLUMN reviewed_at BIGINT;
