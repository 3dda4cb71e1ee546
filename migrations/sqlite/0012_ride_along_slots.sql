-- Patrol shifts a class's participants may book to ride along, and their bookings.
CREATE TABLE ride_along_slots (
    id              INTEGER PRIMARY KEY,
    class_id        BIGINT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    shift           TEXT NOT NULL,
    officer_id      BIGINT REFERENCES staff (id) ON DELETE SET NULL,
    seats           BIGINT NOT NULL CHECK (seats > 0),
    created_at      BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX ride_along_slots_by_class ON ride_along_slots (class_id, starts_at);

-- One booking per participant (the unique index), several per slot up to its seats.
CREATE TABLE ride_along_bookings (
    slot_id         BIGINT NOT NULL REFERENCES ride_along_slots (id) ON DELETE CASCADE,
    application_id  BIGINT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    booked_at       BIGINT NOT NULL,
    PRIMARY KEY (slot_id, application_id)
);
CREATE UNIQUE INDEX ride_along_one_booking ON ride_along_bookings (application_id);
