-- Seats held, places on the waitlist and the last queue place of each class, kept by
-- triggers as applications are stored, change status or are erased, so filing an
-- application reads one row instead of counting the class (which may hold 100,000).
-- The held statuses are ApplicationStatus::HOLDING_SEAT (a test compares the two).
CREATE TABLE class_counts (
    class_id    INTEGER PRIMARY KEY REFERENCES classes (id) ON DELETE CASCADE,
    held        INTEGER NOT NULL DEFAULT 0,
    waitlisted  INTEGER NOT NULL DEFAULT 0,
    last_rank   INTEGER NOT NULL DEFAULT 0
);

INSERT INTO class_counts (class_id, held, waitlisted, last_rank)
SELECT class_id,
       SUM(CASE WHEN status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed') THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END),
       MAX(queue_rank)
FROM applications GROUP BY class_id;

CREATE TRIGGER applications_counted_insert AFTER INSERT ON applications BEGIN
    INSERT INTO class_counts (class_id, held, waitlisted, last_rank)
    VALUES (NEW.class_id,
            NEW.status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed'),
            NEW.status = 'waitlisted',
            NEW.queue_rank)
    ON CONFLICT (class_id) DO UPDATE SET
        held = held + excluded.held,
        waitlisted = waitlisted + excluded.waitlisted,
        last_rank = MAX(last_rank, excluded.last_rank);
END;

CREATE TRIGGER applications_counted_update AFTER UPDATE OF status, class_id, queue_rank ON applications BEGIN
    UPDATE class_counts SET
        held = held - (OLD.status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed')),
        waitlisted = waitlisted - (OLD.status = 'waitlisted')
    WHERE class_id = OLD.class_id;
    INSERT INTO class_counts (class_id, held, waitlisted, last_rank)
    VALUES (NEW.class_id,
            NEW.status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed'),
            NEW.status = 'waitlisted',
            NEW.queue_rank)
    ON CONFLICT (class_id) DO UPDATE SET
        held = held + excluded.held,
        waitlisted = waitlisted + excluded.waitlisted,
        last_rank = MAX(last_rank, excluded.last_rank);
END;

CREATE TRIGGER applications_counted_delete AFTER DELETE ON applications BEGIN
    UPDATE class_counts SET
        held = held - (OLD.status IN ('pending_review', 'confirmed', 'offered', 'completed', 'not_completed')),
        waitlisted = waitlisted - (OLD.status = 'waitlisted')
    WHERE class_id = OLD.class_id;
END;
