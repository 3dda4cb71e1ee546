-- What a department sets up itself from the browser, without the demo seed.

-- The department's profile: where eligibility counts as "lives in the city", how to
-- reach it, and where replies to its mail go.
ALTER TABLE department ADD COLUMN service_area TEXT NOT NULL DEFAULT '';
ALTER TABLE department ADD COLUMN non_emergency_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE department ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE department ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE department ADD COLUMN accessibility_contact TEXT NOT NULL DEFAULT '';

-- The department's logo, re-encoded on upload like officers' photos.
CREATE TABLE department_logo (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    png             BLOB NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- API tokens made in the back office belong to the staff member who made them, so
-- deactivating the account ends them at once; last use shows stale tokens.
ALTER TABLE api_tokens ADD COLUMN staff_id INTEGER REFERENCES staff (id);
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;

-- When an account was deactivated (history and authorship stay).
ALTER TABLE staff ADD COLUMN deactivated_at BIGINT;

-- Places officers work with: schools and colleges, and also business groups,
-- neighborhood associations and faith groups.
ALTER TABLE schools ADD COLUMN kind TEXT NOT NULL DEFAULT 'school'
    CHECK (kind IN ('school', 'college', 'business', 'neighborhood', 'faith', 'other'));
