//! The waitlist's rules: how many seats to offer when some free up, when an offer runs out,
//! and where a lottery draw places each entry. The store reads the queue and writes the
//! outcome; `service::waitlist` runs these rules between the two inside one transaction.

use jiff::{SignedDuration, Timestamp};

use super::ApplicationStatus;

/// Seats to offer now: the free seats of the channel's capacity, never negative (a class
/// whose capacity was lowered below the seats held offers nothing until enough leave).
pub fn seats_to_offer(capacity: i64, held: i64) -> i64 {
    (capacity - held).max(0)
}

/// When an offer made at `now` runs out, for a class whose offers last `offer_hours`.
/// `None` only for an hour count so large the date overflows (refused by class validation).
pub fn offer_expires_at(now: Timestamp, offer_hours: i64) -> Option<Timestamp> {
    now.checked_add(SignedDuration::from_hours(offer_hours)).ok()
}

/// Whether an offer that runs out at `expires_at` has run out at `now`. The moment of
/// expiry already counts as expired (the store's query says `offer_expires_at <= now`).
pub fn offer_expired(expires_at: Timestamp, now: Timestamp) -> bool {
    expires_at <= now
}

/// Where a lottery draw places one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawn {
    /// A seat: confirmed, or pending review for programs that screen.
    Seat(ApplicationStatus),
    /// On the waitlist at this position (1 = next in line).
    Waitlist(i64),
}

/// The place of the entry drawn at `rank` (1-based) when `free` seats are open; `seated`
/// is the status a seat starts in for this class.
pub fn drawn_place(rank: i64, free: i64, seated: ApplicationStatus) -> Drawn {
    if rank <= free {
        Drawn::Seat(seated)
    } else {
        Drawn::Waitlist(rank - free.max(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn offers_fill_only_free_seats() {
        assert_eq!(seats_to_offer(20, 18), 2);
        assert_eq!(seats_to_offer(20, 20), 0);
        // Capacity lowered below the seats already held: nothing to offer, not a negative.
        assert_eq!(seats_to_offer(10, 14), 0);
    }

    #[test]
    fn an_offer_runs_out_after_its_hours_and_at_the_exact_moment() {
        let made = at(1_000_000);
        let ends = offer_expires_at(made, 48).unwrap();
        assert_eq!(ends, at(1_000_000 + 48 * 3600));
        assert!(!offer_expired(ends, at(1_000_000 + 48 * 3600 - 1)));
        assert!(offer_expired(ends, ends));
        assert!(offer_expired(ends, at(1_000_000 + 48 * 3600 + 1)));
        assert!(offer_expires_at(made, i64::MAX / 4000).is_none());
    }

    #[test]
    fn a_draw_seats_the_first_ranks_and_queues_the_rest_in_order() {
        let seat = ApplicationStatus::Confirmed;
        assert_eq!(drawn_place(1, 2, seat), Drawn::Seat(seat));
        assert_eq!(drawn_place(2, 2, seat), Drawn::Seat(seat));
        assert_eq!(drawn_place(3, 2, seat), Drawn::Waitlist(1));
        assert_eq!(drawn_place(7, 2, seat), Drawn::Waitlist(5));
        // No seat free: everyone queues from position 1.
        assert_eq!(drawn_place(1, 0, ApplicationStatus::PendingReview), Drawn::Waitlist(1));
    }
}
