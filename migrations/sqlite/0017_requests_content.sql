-- Community requests (Open311 GeoReport v2 services) and department content.

CREATE TABLE service_requests (
    id                INTEGER PRIMARY KEY,
    service_code      TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'assigned',
                          'in_progress', 'closed')),
    description       TEXT NOT NULL DEFAULT '',
    attributes        TEXT NOT NULL DEFAULT '{}',
    address           TEXT NOT NULL DEFAULT '',
    lat               REAL,
    lon               REAL,
    email             TEXT NOT NULL,
    first_name        TEXT NOT NULL DEFAULT '',
    last_name         TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    channel           TEXT NOT NULL CHECK (channel IN ('web', 'open311')),
    api_client        TEXT,
    assigned_to       INTEGER REFERENCES staff (id),
    due_on            TEXT,
    status_notes      TEXT NOT NULL DEFAULT '',
    -- The requester's private link (hash), and the public Open311 token.
    follow_token_hash TEXT NOT NULL UNIQUE,
    public_token      TEXT NOT NULL UNIQUE,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    closed_at         BIGINT
);
CREATE INDEX service_requests_by_status ON service_requests (status, id);
CREATE INDEX service_requests_by_assignee ON service_requests (assigned_to, status);
CREATE INDEX service_requests_by_updated ON service_requests (updated_at);

-- What happened to a request: status changes with their note, and comments.
CREATE TABLE request_updates (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    author      TEXT NOT NULL CHECK (author IN ('requester', 'staff')),
    staff_id    INTEGER REFERENCES staff (id),
    status      TEXT,
    body        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX request_updates_by_request ON request_updates (request_id, id);

-- Keys of civic apps allowed to file requests through Open311 (hash kept).
CREATE TABLE open311_keys (
    key_hash    TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

-- Pages and advisories written by staff in Markdown; the sanitized HTML is kept beside it.
CREATE TABLE content (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('page', 'advisory')),
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    category        TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',
    body_markdown   TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    publish_window  TEXT NOT NULL DEFAULT '{"type":"always"}',
    published       BOOLEAN NOT NULL DEFAULT 0,
    on_home         BOOLEAN NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
