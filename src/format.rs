//! How dates, times and seat counts read on pages: "Tuesday, January 5, 2027",
//! "6:00–9:00 PM", "18 of 30 seats left".

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// "Tuesday, January 5, 2027".
pub fn date_long(d: Date) -> String {
    d.strftime("%A, %B %-d, %Y").to_string()
}

/// "Jan 5, 2027".
pub fn date_short(d: Date) -> String {
    d.strftime("%b %-d, %Y").to_string()
}

/// "6:00 PM" or "6 PM"-style clock time, always with minutes for scanning in tables.
pub fn clock(t: Time) -> String {
    t.strftime("%-I:%M %p").to_string()
}

/// "6:00–9:00 PM" when both ends share AM/PM, else "11:00 AM–1:00 PM".
pub fn time_range(start: Time, end: Time) -> String {
    let same_half = (start.hour() < 12) == (end.hour() < 12);
    if same_half {
        format!("{}–{}", start.strftime("%-I:%M"), clock(end))
    } else {
        format!("{}–{}", clock(start), clock(end))
    }
}

/// An instant in the department's zone: "Friday, December 18, 2026 at 5:00 PM PST".
pub fn instant(ts: Timestamp, tz: &TimeZone) -> String {
    ts.to_zoned(tz.clone())
        .strftime("%A, %B %-d, %Y at %-I:%M %p %Z")
        .to_string()
}

/// The span of a class: "Jan 5 – Mar 23, 2027" style, or "Not scheduled yet".
pub fn date_span(first: Option<Timestamp>, last: Option<Timestamp>, tz: &TimeZone) -> String {
    match (first, last) {
        (Some(f), Some(l)) => {
            let (f, l) = (f.to_zoned(tz.clone()).date(), l.to_zoned(tz.clone()).date());
            if f == l {
                date_short(f)
            } else {
                format!("{} – {}", date_short(f), date_short(l))
            }
        }
        _ => "Not scheduled yet".to_string(),
    }
}

/// "18 of 30 seats left", "Full", "1 of 30 seats left".
pub fn seats(left: i64, capacity: i64) -> String {
    match left {
        0 => "Full".to_string(),
        1 => format!("1 of {capacity} seats left"),
        n => format!("{n} of {capacity} seats left"),
    }
}

/// A `datetime-local` form value (`2027-01-05T09:00`) for an instant, in `tz`.
pub fn datetime_local(ts: Timestamp, tz: &TimeZone) -> String {
    ts.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M").to_string()
}

/// Reads a `datetime-local` form value as wall-clock time in `tz`; `None` if malformed.
pub fn parse_datetime_local(raw: &str, tz: &TimeZone) -> Option<Timestamp> {
    raw.trim()
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp())
}

/// "Tuesday, December 1, 2026, 10:00 PM to 6:00 AM" for a stored span of Unix seconds.
pub fn span(starts_at: i64, ends_at: i64, tz: &TimeZone) -> String {
    let (Ok(start), Ok(end)) = (Timestamp::from_second(starts_at), Timestamp::from_second(ends_at)) else {
        return String::new();
    };
    let (start, end) = (start.to_zoned(tz.clone()), end.to_zoned(tz.clone()));
    format!("{}, {}", date_long(start.date()), time_range(start.time(), end.time()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn dates_and_times_read_naturally() {
        assert_eq!(date_long(date(2027, 1, 5)), "Tuesday, January 5, 2027");
        assert_eq!(date_short(date(2027, 1, 5)), "Jan 5, 2027");
        assert_eq!(time_range(time(18, 0, 0, 0), time(21, 0, 0, 0)), "6:00–9:00 PM");
        assert_eq!(time_range(time(11, 0, 0, 0), time(13, 30, 0, 0)), "11:00 AM–1:30 PM");
    }

    #[test]
    fn instants_show_the_local_zone() {
        let tz = TimeZone::get("America/Los_Angeles").unwrap();
        let ts: Timestamp = "2026-12-19T01:00:00Z".parse().unwrap();
        assert_eq!(instant(ts, &tz), "Friday, December 18, 2026 at 5:00 PM PST");
    }

    #[test]
    fn seat_counts() {
        assert_eq!(seats(0, 30), "Full");
        assert_eq!(seats(1, 30), "1 of 30 seats left");
        assert_eq!(seats(18, 30), "18 of 30 seats left");
    }
}
