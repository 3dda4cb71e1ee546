//! When scheduled messages fall due: session reminders on the day before, at a local
//! hour of the department, and a last call on seat offers before they expire.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, civil};

/// The instant the reminder for a session starting at `starts_at` goes out: `hour`:00
/// local time on the calendar day before the session, in the department's zone. A clock
/// change between the two days does not move it: it is a local hour, not "24 hours
/// before".
pub fn session_reminder_at(starts_at: Timestamp, tz: &TimeZone, hour: u8) -> Timestamp {
    let day = starts_at.to_zoned(tz.clone()).date();
    let before = day.yesterday().unwrap_or(day);
    let at = before.to_datetime(civil::time(hour.min(23) as i8, 0, 0, 0));
    // An hour skipped by a spring-forward change resolves to the first moment after it.
    tz.to_ambiguous_zoned(at)
        .compatible()
        .map(|z| z.timestamp())
        .unwrap_or(starts_at)
}

/// Whether a session's reminder is due at `now`: its time has come and the session has
/// not started (a reminder after the start helps nobody).
pub fn session_reminder_due(now: Timestamp, starts_at: Timestamp, tz: &TimeZone, hour: u8) -> bool {
    now >= session_reminder_at(starts_at, tz, hour) && now < starts_at
}

/// Longest warning before an offer expires.
const OFFER_WARNING: SignedDuration = SignedDuration::from_hours(12);

/// When a seat offer that expires at `expires_at` after an offer window of
/// `offer_hours` gets its "expiring soon" message: 12 hours before, or half-way through
/// a shorter window, so the warning never comes right on the heels of the offer.
pub fn offer_warning_at(expires_at: Timestamp, offer_hours: i64) -> Timestamp {
    let half = SignedDuration::from_mins(offer_hours.max(1) * 30);
    let lead = if half < OFFER_WARNING { half } else { OFFER_WARNING };
    expires_at.checked_sub(lead).unwrap_or(expires_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn la() -> TimeZone {
        TimeZone::get("America/Los_Angeles").unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse::<jiff::Zoned>().unwrap().timestamp()
    }

    #[test]
    fn the_reminder_goes_at_the_local_hour_of_the_day_before() {
        let start = at("2026-12-03T18:30[America/Los_Angeles]");
        assert_eq!(
            session_reminder_at(start, &la(), 9),
            at("2026-12-02T09:00[America/Los_Angeles]")
        );
    }

    #[test]
    fn the_local_hour_holds_across_the_autumn_change() {
        // Clocks go back on Sunday 1 November 2026; the Monday session's reminder is
        // still 9:00 on Sunday (25 hours after 9:00 Saturday), now in PST.
        let monday = at("2026-11-02T18:00[America/Los_Angeles]");
        let reminder = session_reminder_at(monday, &la(), 9);
        assert_eq!(reminder, at("2026-11-01T09:00-08:00[America/Los_Angeles]"));
        assert_eq!(reminder.to_string(), "2026-11-01T17:00:00Z");
        // A Sunday session: reminder on Saturday, still in PDT.
        let sunday = at("2026-11-01T14:00[America/Los_Angeles]");
        assert_eq!(
            session_reminder_at(sunday, &la(), 9).to_string(),
            "2026-10-31T16:00:00Z"
        );
    }

    #[test]
    fn the_local_hour_holds_across_the_spring_change() {
        // Clocks go forward at 2:00 on Sunday 8 March 2026.
        let monday = at("2026-03-09T18:00[America/Los_Angeles]");
        assert_eq!(
            session_reminder_at(monday, &la(), 9).to_string(),
            "2026-03-08T16:00:00Z"
        );
        // An hour that does not exist that night resolves to just after the gap.
        let sunday_night = at("2026-03-08T19:00[America/Los_Angeles]");
        assert_eq!(
            session_reminder_at(sunday_night, &la(), 2),
            at("2026-03-07T02:00[America/Los_Angeles]")
        );
        let monday_early = at("2026-03-09T08:00[America/Los_Angeles]");
        assert_eq!(
            session_reminder_at(monday_early, &la(), 2).to_string(),
            "2026-03-08T10:00:00Z"
        );
    }

    #[test]
    fn reminders_are_due_between_their_time_and_the_start() {
        let start = at("2026-12-03T18:30[America/Los_Angeles]");
        let nine = at("2026-12-02T09:00[America/Los_Angeles]");
        assert!(!session_reminder_due(
            nine - SignedDuration::from_secs(1),
            start,
            &la(),
            9
        ));
        assert!(session_reminder_due(nine, start, &la(), 9));
        assert!(session_reminder_due(
            start - SignedDuration::from_secs(1),
            start,
            &la(),
            9
        ));
        assert!(!session_reminder_due(start, start, &la(), 9));
    }

    #[test]
    fn offer_warnings_come_twelve_hours_ahead_or_half_way() {
        let expires = at("2026-12-03T18:00Z[UTC]");
        assert_eq!(offer_warning_at(expires, 48), expires - SignedDuration::from_hours(12));
        assert_eq!(offer_warning_at(expires, 24), expires - SignedDuration::from_hours(12));
        assert_eq!(offer_warning_at(expires, 8), expires - SignedDuration::from_hours(4));
        assert_eq!(offer_warning_at(expires, 1), expires - SignedDuration::from_mins(30));
    }
}
