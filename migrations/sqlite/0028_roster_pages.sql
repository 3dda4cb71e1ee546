-- The roster reads a class a page at a time in queue order (keyset paging).
CREATE INDEX applications_by_rank ON applications (class_id, queue_rank, id);
