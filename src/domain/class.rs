//! The life of a class (a cohort such as "Class 46" or "Fall 2026") and its
//! registration window.

use jiff::Timestamp;
use serde::Serialize;

use super::program::coded_enum;

coded_enum! {
    /// Where a class is in its life. Staff move it forward; see [`ClassStatus::can_become`].
    ClassStatus {
        Draft = "draft" / "Draft",
        Announced = "announced" / "Announced",
        Open = "open" / "Registration open",
        Closed = "closed" / "Registration closed",
        InProgress = "in_progress" / "In progress",
        Completed = "completed" / "Completed",
        Cancelled = "cancelled" / "Cancelled",
    }
}

impl ClassStatus {
    /// Whether residents may see the class at all. Drafts are staff-only.
    pub fn is_public(self) -> bool {
        self != ClassStatus::Draft
    }

    /// Whether the class still lies ahead or is running (shown as "upcoming").
    pub fn is_current(self) -> bool {
        matches!(
            self,
            ClassStatus::Announced | ClassStatus::Open | ClassStatus::Closed | ClassStatus::InProgress
        )
    }

    /// Whether the capacity may still change: a completed or cancelled class's
    /// capacity is part of its record.
    pub fn capacity_may_change(self) -> bool {
        !matches!(self, ClassStatus::Completed | ClassStatus::Cancelled)
    }

    /// The allowed moves. A class only goes forward; it can be cancelled until it is
    /// completed, and registration may be reopened after closing (e.g. a seat freed up).
    pub fn can_become(self, next: ClassStatus) -> bool {
        use ClassStatus::*;
        matches!(
            (self, next),
            (Draft, Announced | Open | Cancelled)
                | (Announced, Open | Cancelled)
                | (Open, Closed | Cancelled)
                | (Closed, Open | InProgress | Cancelled)
                | (InProgress, Completed | Cancelled)
        )
    }
}

/// What a resident can do about registering right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RegistrationState {
    /// Announced, registration opens at the given instant (if it is known yet).
    NotYetOpen { opens_at: Option<Timestamp> },
    /// Applications are accepted until `closes_at` (if a close is set).
    Open { closes_at: Option<Timestamp> },
    /// No more applications: closed, running, over or cancelled.
    Closed,
}

impl RegistrationState {
    /// Decides from the class status and its window. The window narrows an open class:
    /// an "open" class whose window has not started yet, or has passed, takes no
    /// applications, so a forgotten status change never lets late applications in.
    pub fn at(
        status: ClassStatus,
        opens_at: Option<Timestamp>,
        closes_at: Option<Timestamp>,
        now: Timestamp,
    ) -> RegistrationState {
        match status {
            ClassStatus::Draft | ClassStatus::Announced => RegistrationState::NotYetOpen { opens_at },
            ClassStatus::Open => match (opens_at, closes_at) {
                (Some(o), _) if now < o => RegistrationState::NotYetOpen { opens_at },
                (_, Some(c)) if now >= c => RegistrationState::Closed,
                _ => RegistrationState::Open { closes_at },
            },
            _ => RegistrationState::Closed,
        }
    }

    /// Whether an application submitted now would be considered.
    pub fn is_open(self) -> bool {
        matches!(self, RegistrationState::Open { .. })
    }
}

/// Longest time an applicant may be given to answer a seat offer (two weeks).
pub const MAX_OFFER_HOURS: i64 = 24 * 14;

/// A class's registration rules, as a coordinator sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRules {
    /// Seats only staff-entered (phone, walk-in) applications may fill.
    pub held_back_seats: i64,
    /// Until then, only the `priority` ties may apply (empty: no priority round).
    pub priority_until: Option<Timestamp>,
    pub priority: Vec<super::Affiliation>,
    /// How long a waitlisted person has to accept an offered seat.
    pub offer_hours: i64,
    /// Applicants may correct their contact details until then (default: the first session).
    pub corrections_until: Option<Timestamp>,
}

impl RegistrationRules {
    /// Checks the rules against the class's capacity and registration window; every
    /// problem is listed.
    pub fn validate(
        &self,
        capacity: i64,
        opens: Option<Timestamp>,
        closes: Option<Timestamp>,
    ) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if !(0..=capacity).contains(&self.held_back_seats) {
            errors.push(format!(
                "Held-back seats must be between 0 and the capacity ({capacity})."
            ));
        }
        if !(1..=MAX_OFFER_HOURS).contains(&self.offer_hours) {
            errors.push(format!("Offers must stay open between 1 and {MAX_OFFER_HOURS} hours."));
        }
        match (self.priority_until, self.priority.is_empty()) {
            (Some(_), true) => errors.push("Choose who may apply during the priority round.".into()),
            (None, false) => errors.push("Give the time the priority round ends.".into()),
            (Some(until), false) => {
                if opens.is_some_and(|o| until <= o) || closes.is_some_and(|c| until >= c) {
                    errors.push("The priority round must end while registration is open.".into());
                }
            }
            (None, true) => {}
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// Most seats a class may have.
pub const MAX_CAPACITY: i64 = 10_000;

/// Why a class's capacity may not be set to the value asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityRefusal {
    /// Below 0 or above [`MAX_CAPACITY`].
    OutOfRange,
    /// The class is completed or cancelled: its capacity is part of the record.
    Finished(ClassStatus),
    /// Fewer seats than people already holding one; nobody's seat may be taken away.
    BelowHeld { held: i64 },
}

impl CapacityRefusal {
    /// A stable identifier of the reason (the API's problem `type`).
    pub fn slug(self) -> &'static str {
        match self {
            CapacityRefusal::OutOfRange => "capacity-out-of-range",
            CapacityRefusal::Finished(_) => "class-finished",
            CapacityRefusal::BelowHeld { .. } => "capacity-below-seats-held",
        }
    }
}

impl std::fmt::Display for CapacityRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CapacityRefusal::OutOfRange => write!(f, "Capacity must be between 0 and 10,000."),
            CapacityRefusal::Finished(status) => write!(
                f,
                "The class is {}; its capacity can no longer change.",
                status.label().to_lowercase()
            ),
            CapacityRefusal::BelowHeld { held: 1 } => {
                write!(f, "1 seat is taken; capacity cannot go below 1.")
            }
            CapacityRefusal::BelowHeld { held } => {
                write!(f, "{held} seats are taken; capacity cannot go below {held}.")
            }
        }
    }
}

impl std::error::Error for CapacityRefusal {}

/// What setting a capacity would do, once allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityChange {
    /// The same value: nothing to write.
    Unchanged,
    /// A new value at or above the seats held.
    To(i64),
}

/// Decides whether a class of `status` with `current` seats, `held` of them taken
/// (every seat-holding status, see `ApplicationStatus::HOLDING_SEAT`), may have
/// `requested` seats. The caller counts `held` with the class locked, so the answer
/// stays true until it commits.
pub fn capacity_change(
    status: ClassStatus,
    current: i64,
    held: i64,
    requested: i64,
) -> Result<CapacityChange, CapacityRefusal> {
    if !(0..=MAX_CAPACITY).contains(&requested) {
        return Err(CapacityRefusal::OutOfRange);
    }
    if requested == current {
        return Ok(CapacityChange::Unchanged);
    }
    if !status.capacity_may_change() {
        return Err(CapacityRefusal::Finished(status));
    }
    if requested < held {
        return Err(CapacityRefusal::BelowHeld { held });
    }
    Ok(CapacityChange::To(requested))
}

/// Why a class may not be announced or opened with its allocation, if it may not: a
/// lottery without a closing time would never be drawn.
pub fn ready_to_publish(
    allocation: crate::domain::application::Allocation,
    closes: Option<Timestamp>,
) -> Result<(), &'static str> {
    if allocation == crate::domain::application::Allocation::Lottery && closes.is_none() {
        return Err(
            "This class gives seats by lottery, drawn when registration closes: set when registration closes first.",
        );
    }
    Ok(())
}

/// Whether a class may use `allocation` now. A class inherits its program's allocation
/// and may change it only while it is a draft: once announced, a lottery's seed hash is
/// published and the rules residents were told must hold. A lottery draws when
/// registration closes, so it needs a closing time.
pub fn allocation_change(
    status: ClassStatus,
    current: crate::domain::application::Allocation,
    wanted: crate::domain::application::Allocation,
    closes: Option<Timestamp>,
) -> Result<(), &'static str> {
    use crate::domain::application::Allocation;
    if wanted != current && status != ClassStatus::Draft {
        return Err(
            "How seats are given can change only while the class is a draft; residents have been told the rules.",
        );
    }
    if wanted != current && wanted == Allocation::Lottery && closes.is_none() {
        return Err(
            "A lottery draws when registration closes: give the class a registration window with a closing time.",
        );
    }
    Ok(())
}

/// Seats residents may fill online: the capacity less the seats held back for staff to
/// place by phone or walk-in, never negative.
pub fn online_seats(capacity: i64, held_back: i64) -> i64 {
    (capacity - held_back.max(0)).max(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn held_back_seats_are_kept_from_online_applicants() {
        use super::online_seats;
        assert_eq!(online_seats(24, 4), 20);
        assert_eq!(online_seats(24, 0), 24);
        assert_eq!(online_seats(3, 5), 0);
    }

    #[test]
    fn allocation_changes_only_in_a_draft_and_a_lottery_needs_a_close() {
        use super::{ClassStatus, allocation_change};
        use crate::domain::application::Allocation::{FirstCome, Lottery};
        let close = Some(jiff::Timestamp::UNIX_EPOCH);
        assert!(allocation_change(ClassStatus::Draft, FirstCome, Lottery, close).is_ok());
        assert!(allocation_change(ClassStatus::Draft, FirstCome, Lottery, None).is_err());
        assert!(super::ready_to_publish(Lottery, None).is_err());
        assert!(super::ready_to_publish(Lottery, close).is_ok());
        assert!(super::ready_to_publish(FirstCome, None).is_ok());
        assert!(allocation_change(ClassStatus::Announced, FirstCome, Lottery, close).is_err());
        assert!(allocation_change(ClassStatus::Open, Lottery, Lottery, close).is_ok());
        assert!(allocation_change(ClassStatus::Open, FirstCome, FirstCome, None).is_ok());
    }

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn classes_only_move_forward() {
        use ClassStatus::*;
        assert!(Draft.can_become(Announced));
        assert!(Announced.can_become(Open));
        assert!(Open.can_become(Closed));
        assert!(Closed.can_become(Open), "reopening after a seat frees up");
        assert!(InProgress.can_become(Completed));
        assert!(!Completed.can_become(Open));
        assert!(!Completed.can_become(Cancelled));
        assert!(!Cancelled.can_become(Open));
        assert!(!Open.can_become(Draft));
        assert!(!Open.can_become(Open), "no-op moves are not transitions");
    }

    #[test]
    fn drafts_are_hidden_and_finished_classes_are_not_current() {
        assert!(!ClassStatus::Draft.is_public());
        assert!(ClassStatus::Completed.is_public());
        assert!(!ClassStatus::Completed.is_current());
        assert!(!ClassStatus::Cancelled.is_current());
        assert!(ClassStatus::Open.is_current());
    }

    #[test]
    fn open_class_respects_its_window() {
        let opens = Some(ts("2026-09-01T15:00:00Z"));
        let closes = Some(ts("2026-09-15T07:00:00Z"));
        let before = RegistrationState::at(ClassStatus::Open, opens, closes, ts("2026-08-31T00:00:00Z"));
        assert_eq!(before, RegistrationState::NotYetOpen { opens_at: opens });
        let during = RegistrationState::at(ClassStatus::Open, opens, closes, ts("2026-09-01T15:00:00Z"));
        assert!(during.is_open(), "opens exactly at the announced instant");
        let at_close = RegistrationState::at(ClassStatus::Open, opens, closes, ts("2026-09-15T07:00:00Z"));
        assert_eq!(
            at_close,
            RegistrationState::Closed,
            "closes exactly at the announced instant"
        );
    }

    #[test]
    fn open_class_without_window_is_open() {
        let s = RegistrationState::at(ClassStatus::Open, None, None, ts("2030-01-01T00:00:00Z"));
        assert_eq!(s, RegistrationState::Open { closes_at: None });
    }

    #[test]
    fn only_open_classes_take_applications() {
        let now = ts("2026-09-05T00:00:00Z");
        for status in ClassStatus::ALL {
            let s = RegistrationState::at(*status, None, None, now);
            assert_eq!(s.is_open(), *status == ClassStatus::Open, "{status:?}");
        }
    }

    #[test]
    fn registration_rules_are_checked_against_the_class() {
        use crate::domain::Affiliation;
        let t = |s: &str| -> Timestamp { s.parse().unwrap() };
        let (opens, closes) = (Some(t("2027-01-01T00:00:00Z")), Some(t("2027-02-01T00:00:00Z")));
        let ok = RegistrationRules {
            held_back_seats: 2,
            priority_until: Some(t("2027-01-08T00:00:00Z")),
            priority: vec![Affiliation::Resides],
            offer_hours: 48,
            corrections_until: None,
        };
        assert_eq!(ok.validate(30, opens, closes), Ok(()));
        let bad = RegistrationRules {
            held_back_seats: 31,
            priority_until: Some(t("2027-03-01T00:00:00Z")),
            offer_hours: 0,
            ..ok.clone()
        };
        assert_eq!(bad.validate(30, opens, closes).unwrap_err().len(), 3);
        let half = RegistrationRules {
            priority: vec![],
            ..ok.clone()
        };
        assert_eq!(
            half.validate(30, opens, closes).unwrap_err(),
            ["Choose who may apply during the priority round."]
        );
        let other_half = RegistrationRules {
            priority_until: None,
            ..ok
        };
        assert_eq!(
            other_half.validate(30, None, None).unwrap_err(),
            ["Give the time the priority round ends."]
        );
    }

    #[test]
    fn capacity_never_drops_below_the_seats_held() {
        use ClassStatus::*;
        assert_eq!(
            capacity_change(Open, 30, 12, 0),
            Err(CapacityRefusal::BelowHeld { held: 12 })
        );
        assert_eq!(
            capacity_change(Open, 30, 12, 11),
            Err(CapacityRefusal::BelowHeld { held: 12 })
        );
        assert_eq!(capacity_change(Open, 30, 12, 12), Ok(CapacityChange::To(12)));
        assert_eq!(capacity_change(InProgress, 16, 12, 40), Ok(CapacityChange::To(40)));
        assert_eq!(capacity_change(Draft, 30, 0, 0), Ok(CapacityChange::To(0)));
        // Already oversold (by an older version): raising towards the seats held is allowed.
        assert_eq!(
            capacity_change(Open, 5, 12, 8),
            Err(CapacityRefusal::BelowHeld { held: 12 })
        );
        assert_eq!(capacity_change(Open, 5, 12, 12), Ok(CapacityChange::To(12)));
    }

    #[test]
    fn finished_classes_keep_their_capacity() {
        for status in [ClassStatus::Completed, ClassStatus::Cancelled] {
            assert_eq!(
                capacity_change(status, 30, 30, 0),
                Err(CapacityRefusal::Finished(status))
            );
            assert_eq!(
                capacity_change(status, 30, 30, 31),
                Err(CapacityRefusal::Finished(status)),
                "not even upwards"
            );
            assert_eq!(capacity_change(status, 30, 30, 30), Ok(CapacityChange::Unchanged));
        }
        for status in ClassStatus::ALL {
            assert_eq!(
                capacity_change(*status, 30, 0, 30),
                Ok(CapacityChange::Unchanged),
                "{status:?}"
            );
        }
    }

    #[test]
    fn capacity_stays_within_range() {
        for bad in [-1, MAX_CAPACITY + 1, i64::MIN, i64::MAX] {
            assert_eq!(
                capacity_change(ClassStatus::Open, 30, 0, bad),
                Err(CapacityRefusal::OutOfRange)
            );
        }
        assert_eq!(
            capacity_change(ClassStatus::Completed, 30, 30, -1),
            Err(CapacityRefusal::OutOfRange)
        );
        assert_eq!(
            capacity_change(ClassStatus::Open, 30, 0, MAX_CAPACITY),
            Ok(CapacityChange::To(MAX_CAPACITY))
        );
    }

    #[test]
    fn capacity_refusals_name_the_seats_held() {
        assert_eq!(
            CapacityRefusal::BelowHeld { held: 12 }.to_string(),
            "12 seats are taken; capacity cannot go below 12."
        );
        assert_eq!(
            CapacityRefusal::BelowHeld { held: 1 }.to_string(),
            "1 seat is taken; capacity cannot go below 1."
        );
        assert_eq!(
            CapacityRefusal::Finished(ClassStatus::Completed).to_string(),
            "The class is completed; its capacity can no longer change."
        );
        assert_eq!(
            CapacityRefusal::BelowHeld { held: 3 }.slug(),
            "capacity-below-seats-held"
        );
    }
}
