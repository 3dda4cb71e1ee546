-- Days the department holds no classes (federal and local holidays), by local date. The
-- planner skips them when it lays out a meeting pattern or copies a class.
CREATE TABLE holidays (
    date        TEXT PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at  BIGINT NOT NULL
);
