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

#[cfg(test)]
mod tests {
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
}
