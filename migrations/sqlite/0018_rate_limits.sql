-- Request budgets shared by every instance: hits per bucket, client and window.
-- Rows are pruned once their window has passed.

CREATE TABLE rate_limit_hits (
    bucket        TEXT NOT NULL,
    client        TEXT NOT NULL,
    window_start  INTEGER NOT NULL,
    hits          INTEGER NOT NULL,
    PRIMARY KEY (bucket, client, window_start)
);
CREATE INDEX rate_limit_hits_window ON rate_limit_hits (window_start);
