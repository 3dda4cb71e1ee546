//! Ride-along slots: patrol shifts a class's participants may book to observe, and the
//! rules for booking and cancelling them.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

/// Bookings close this long before a shift, so the shift's officer knows who comes.
pub const CUTOFF_HOURS: i64 = 24;
/// Most riders one patrol car takes on a shift.
pub const MAX_SEATS: i64 = 3;
/// Longest shift description.
pub const MAX_SHIFT_CHARS: usize = 120;

/// A slot as staff enter it, in the department's local time. A shift whose end is not after
/// its start ends the next day (a night shift, 22:00 to 06:00).
#[derive(Debug, Clone)]
pub struct SlotInput {
    pub date: String,
    pub start: String,
    pub end: String,
    pub shift: String,
    pub seats: String,
}

/// A checked slot, as instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub shift: String,
    pub seats: i64,
}

impl SlotInput {
    /// Checks the input in the department's zone; every problem is listed.
    pub fn validate(&self, tz: &TimeZone, now: Timestamp) -> Result<Slot, Vec<String>> {
        let mut errors = Vec::new();
        let date: Option<Date> = self.date.trim().parse().ok();
        if date.is_none() {
            errors.push("Enter the shift's date as YYYY-MM-DD.".to_string());
        }
        let start: Option<Time> = self.start.trim().parse().ok();
        let end: Option<Time> = self.end.trim().parse().ok();
        if start.is_none() || end.is_none() {
            errors.push("Enter the start and end times as HH:MM.".to_string());
        }
        let shift = self.shift.trim().to_string();
        if shift.is_empty() {
            errors.push("Describe the shift (for example: Evening patrol, Harbor district).".to_string());
        } else if shift.chars().count() > MAX_SHIFT_CHARS {
            errors.push(format!(
                "Keep the shift description under {MAX_SHIFT_CHARS} characters."
            ));
        }
        let seats = match self.seats.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_SEATS).contains(&n) => n,
            _ => {
                errors.push(format!("Seats must be a whole number from 1 to {MAX_SEATS}."));
                0
            }
        };
        let (Some(date), Some(start), Some(end)) = (date, start, end) else {
            return Err(errors);
        };
        let Some((starts_at, ends_at)) = window(date, start, end, tz) else {
            errors.push("That date and time do not exist in the department's time zone.".to_string());
            return Err(errors);
        };
        if starts_at <= now {
            errors.push("The shift must start in the future.".to_string());
        }
        if errors.is_empty() {
            Ok(Slot {
                starts_at,
                ends_at,
                shift,
                seats,
            })
        } else {
            Err(errors)
        }
    }
}

/// A shift's instants from local date and times; the end rolls to the next day when it is
/// not after the start. Times in a DST gap resolve forward, as a wall clock would.
pub fn window(date: Date, start: Time, end: Time, tz: &TimeZone) -> Option<(Timestamp, Timestamp)> {
    let starts_at = date.to_datetime(start).to_zoned(tz.clone()).ok()?.timestamp();
    let end_date = if end > start {
        date
    } else {
        date.checked_add(1.day()).ok()?
    };
    let ends_at = end_date.to_datetime(end).to_zoned(tz.clone()).ok()?.timestamp();
    Some((starts_at, ends_at))
}

/// What a participant's booking request runs into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotParticipant,
    AlreadyDone,
    AlreadyBooked,
    TooLate,
    Full,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NotParticipant => "Only confirmed participants of the class can book a ride-along.",
            Refusal::AlreadyDone => "Your ride-along is already recorded as done.",
            Refusal::AlreadyBooked => "You already have a ride-along booked; cancel it first to choose another.",
            Refusal::TooLate => "Bookings close 24 hours before the shift starts.",
            Refusal::Full => "That shift is full; choose another.",
        }
    }
}

/// The facts a booking decision needs.
pub struct BookingFacts {
    pub participant: bool,
    pub ride_along_done: bool,
    pub has_booking: bool,
    pub slot_starts_at: Timestamp,
    pub seats: i64,
    pub booked: i64,
}

/// Whether a participant may book the slot now.
pub fn may_book(f: &BookingFacts, now: Timestamp) -> Result<(), Refusal> {
    if !f.participant {
        return Err(Refusal::NotParticipant);
    }
    if f.ride_along_done {
        return Err(Refusal::AlreadyDone);
    }
    if f.has_booking {
        return Err(Refusal::AlreadyBooked);
    }
    if !open(f.slot_starts_at, now) {
        return Err(Refusal::TooLate);
    }
    if f.booked >= f.seats {
        return Err(Refusal::Full);
    }
    Ok(())
}

/// Whether a slot still takes bookings and cancellations (more than the cutoff ahead).
pub fn open(starts_at: Timestamp, now: Timestamp) -> bool {
    starts_at.duration_since(now) > SignedDuration::from_hours(CUTOFF_HOURS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz() -> TimeZone {
        TimeZone::get("America/New_York").unwrap()
    }

    fn input(date: &str, start: &str, end: &str) -> SlotInput {
        SlotInput {
            date: date.into(),
            start: start.into(),
            end: end.into(),
            shift: "Evening patrol, Harbor district".into(),
            seats: "1".into(),
        }
    }

    fn now() -> Timestamp {
        "2026-11-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_night_shift_ends_the_next_morning() {
        let slot = input("2026-11-20", "22:00", "06:00").validate(&tz(), now()).unwrap();
        assert_eq!(slot.starts_at.to_string(), "2026-11-21T03:00:00Z");
        assert_eq!(slot.ends_at.to_string(), "2026-11-21T11:00:00Z");
    }

    #[test]
    fn a_shift_across_the_fall_back_change_lasts_an_hour_longer() {
        // 2026-11-01 01:00 EST: clocks fall back at 02:00 EDT that night.
        let slot = input("2026-10-31", "22:00", "06:00")
            .validate(&tz(), "2026-10-01T00:00:00Z".parse().unwrap())
            .unwrap();
        assert_eq!(
            slot.ends_at.duration_since(slot.starts_at),
            SignedDuration::from_hours(9)
        );
    }

    #[test]
    fn bad_input_lists_every_problem() {
        let bad = SlotInput {
            date: "someday".into(),
            start: "25:00".into(),
            end: "x".into(),
            shift: " ".into(),
            seats: "9".into(),
        };
        assert_eq!(bad.validate(&tz(), now()).unwrap_err().len(), 4);
        let past = input("2026-10-01", "08:00", "16:00")
            .validate(&tz(), now())
            .unwrap_err();
        assert_eq!(past, ["The shift must start in the future."]);
    }

    fn facts() -> BookingFacts {
        BookingFacts {
            participant: true,
            ride_along_done: false,
            has_booking: false,
            slot_starts_at: "2026-11-10T02:00:00Z".parse().unwrap(),
            seats: 2,
            booked: 1,
        }
    }

    #[test]
    fn booking_rules() {
        assert_eq!(may_book(&facts(), now()), Ok(()));
        let cases = [
            (
                BookingFacts {
                    participant: false,
                    ..facts()
                },
                Refusal::NotParticipant,
            ),
            (
                BookingFacts {
                    ride_along_done: true,
                    ..facts()
                },
                Refusal::AlreadyDone,
            ),
            (
                BookingFacts {
                    has_booking: true,
                    ..facts()
                },
                Refusal::AlreadyBooked,
            ),
            (BookingFacts { booked: 2, ..facts() }, Refusal::Full),
        ];
        for (f, want) in cases {
            assert_eq!(may_book(&f, now()), Err(want));
        }
        // Exactly the cutoff ahead is already too late.
        let start = facts().slot_starts_at;
        let at_cutoff = start - SignedDuration::from_hours(CUTOFF_HOURS);
        assert_eq!(may_book(&facts(), at_cutoff), Err(Refusal::TooLate));
        assert!(open(start, at_cutoff - SignedDuration::from_secs(1)));
    }
}
