-- Seats held, places on the waitlist and the last queue place of each class, kept by
-- triggers as applications are stored, change status or are erased, so filing an
-- application reads one row instead of counting the class (which may hold 100,000).
-- The held statuses are ApplicationStatus::HOLDING_SEAT (a test compares the two).
-- Statement triggers over transition tables: one upsert per class per statement, and
-- no write at all for an update that changes no count (a corrected phone number).
CREATE TABLE class_counts (
    class_id    BIGINT PRIMARY KEY REFERENCES classes (id) ON DELETE CASCADE,
    held        BIGINT NOT NULL DEFAULT 0,
    waitlisted  BIGINT NOT NULL DEFAULT 0,
    last_rank   BIGINT NOT NULL DEFAULT 0
);

INSERT INTO class_counts (class_id, held, waitlisted, last_rank)
SELECT class_id,
       COUNT(*) FILTER (WHERE status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed')),
       COUNT(*) FILTER (WHERE status = 'waitlisted'),
       MAX(queue_rank)
FROM applications GROUP BY class_id;

CREATE FUNCTION applications_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO class_counts (class_id, held, waitlisted, last_rank)
    SELECT class_id,
           COUNT(*) FILTER (WHERE status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed')),
           COUNT(*) FILTER (WHERE status = 'waitlisted'),
           MAX(queue_rank)
    FROM new_rows GROUP BY class_id
    ON CONFLICT (class_id) DO UPDATE SET
        held = class_counts.held + EXCLUDED.held,
        waitlisted = class_counts.waitlisted + EXCLUDED.waitlisted,
        last_rank = GREATEST(class_counts.last_rank, EXCLUDED.last_rank);
    RETURN NULL;
END $$;

CREATE FUNCTION applications_counted_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO class_counts (class_id, held, waitlisted, last_rank)
    SELECT class_id, SUM(held), SUM(waitlisted), MAX(last_rank) FROM (
        SELECT class_id,
               CASE WHEN status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed') THEN 1 ELSE 0 END AS held,
               CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END AS waitlisted,
               queue_rank AS last_rank
        FROM new_rows
        UNION ALL
        SELECT class_id,
               CASE WHEN status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed') THEN -1 ELSE 0 END,
               CASE WHEN status = 'waitlisted' THEN -1 ELSE 0 END,
               0
        FROM old_rows
    ) AS d
    GROUP BY class_id
    HAVING SUM(held) <> 0 OR SUM(waitlisted) <> 0
        OR MAX(last_rank) > COALESCE((SELECT c.last_rank FROM class_counts c WHERE c.class_id = d.class_id), 0)
    ON CONFLICT (class_id) DO UPDATE SET
        held = class_counts.held + EXCLUDED.held,
        waitlisted = class_counts.waitlisted + EXCLUDED.waitlisted,
        last_rank = GREATEST(class_counts.last_rank, EXCLUDED.last_rank);
    RETURN NULL;
END $$;

CREATE FUNCTION applications_counted_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE class_counts c SET held = c.held - d.held, waitlisted = c.waitlisted - d.waitlisted
    FROM (
        SELECT class_id,
               COUNT(*) FILTER (WHERE status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed')) AS held,
               COUNT(*) FILTER (WHERE status = 'waitlisted') AS waitlisted
        FROM old_rows GROUP BY class_id
    ) AS d
    WHERE c.class_id = d.class_id AND (d.held <> 0 OR d.waitlisted <> 0);
    RETURN NULL;
END $$;

CREATE TRIGGER applications_counted_insert AFTER INSERT ON applications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION applications_counted_insert();
CREATE TRIGGER applications_counted_update AFTER UPDATE ON applications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION applications_counted_update();
CREATE TRIGGER applications_counted_delete AFTER DELETE ON applications
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION applications_counted_delete();
