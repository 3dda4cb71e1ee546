-- Staff lists read a screen at a time (keyset). The audit log filtered by object type
-- reads newest first by id; the review queue reads applications waiting for review in
-- arrival order, from a partial index that holds only those, so filing an application
-- that needs no review writes nothing more.
CREATE INDEX audit_by_type ON audit_log (object_type, id);
CREATE INDEX applications_in_review ON applications (created_at, id) WHERE status = 'pending_review';
