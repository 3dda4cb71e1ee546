//! Meeting patterns ("every Tuesday 18:00–20:00, 12 sessions, skipping these dates")
//! expanded into concrete sessions in the department's time zone.
//!
//! Each occurrence is built from its *local* date and time and only then resolved to
//! an instant, so 18:00 stays 18:00 on both sides of a daylight-saving change. Adding
//! 7 × 24 h to a UTC instant would drift by an hour; that approach is the bug this
//! module exists to avoid.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use std::collections::BTreeSet;

/// The most sessions one pattern may produce; a guard against typos such as 1200.
pub const MAX_SESSIONS: u16 = 60;

/// A weekly meeting pattern in local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingPattern {
    weekday: Weekday,
    first_date: Date,
    start: Time,
    end: Time,
    sessions: u16,
    skip: BTreeSet<Date>,
}

/// Why a pattern was refused, in words a coordinator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the session must end after it starts")]
    EndNotAfterStart,
    #[error("a pattern needs at least one session")]
    NoSessions,
    #[error("a pattern may have at most {MAX_SESSIONS} sessions")]
    TooManySessions,
    #[error("the first date must fall between the years {FIRST_YEAR} and {LAST_YEAR}")]
    DateOutOfRange,
}

/// Years a class may start in. Typos such as 20266 or 0202 are refused here, and the
/// weeks a pattern spans always stay inside the calendar jiff can represent.
pub const FIRST_YEAR: i16 = 1970;
pub const LAST_YEAR: i16 = 2200;

/// One generated session: its local date and its start and end in the zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub date: Date,
    pub start: Zoned,
    pub end: Zoned,
}

impl MeetingPattern {
    /// Checks and builds a pattern. `sessions` counts meetings, not calendar weeks:
    /// a skipped date (a holiday) pushes the last meeting a week later, so a
    /// twelve-session class always meets twelve times.
    pub fn new(
        weekday: Weekday,
        first_date: Date,
        start: Time,
        end: Time,
        sessions: u16,
        skip: impl IntoIterator<Item = Date>,
    ) -> Result<Self, ScheduleError> {
        if end <= start {
            return Err(ScheduleError::EndNotAfterStart);
        }
        if sessions == 0 {
            return Err(ScheduleError::NoSessions);
        }
        if sessions > MAX_SESSIONS {
            return Err(ScheduleError::TooManySessions);
        }
        if !(FIRST_YEAR..=LAST_YEAR).contains(&first_date.year()) {
            return Err(ScheduleError::DateOutOfRange);
        }
        Ok(MeetingPattern {
            weekday,
            first_date,
            start,
            end,
            sessions,
            skip: skip.into_iter().collect(),
        })
    }

    /// The first possible date, as given.
    pub fn first_date(&self) -> Date {
        self.first_date
    }

    /// The same pattern, skipping `dates` as well (the department's holidays). Like an
    /// explicit skip, each one that falls on a meeting day pushes the series a week later.
    pub fn also_skipping(mut self, dates: impl IntoIterator<Item = Date>) -> Self {
        self.skip.extend(dates);
        self
    }

    /// The first meeting day: `first_date` itself if it falls on the weekday, else the
    /// next such weekday.
    fn first_meeting(&self) -> Date {
        let d = self.first_date;
        if d.weekday() == self.weekday {
            d
        } else {
            d.nth_weekday(1, self.weekday).expect("date in range")
        }
    }

    /// Expands the pattern in `tz`. Local times that do not exist (inside a spring-forward
    /// gap) move forward, and ambiguous ones (fall-back) take the earlier instant, which is
    /// what a person reading "18:00" on a wall clock would expect.
    pub fn occurrences(&self, tz: &TimeZone) -> Vec<Occurrence> {
        let mut out = Vec::with_capacity(usize::from(self.sessions));
        let mut date = self.first_meeting();
        // Bounded: every skipped date can add at most one extra week.
        let max_weeks = usize::from(self.sessions) + self.skip.len();
        for _ in 0..max_weeks {
            if out.len() == usize::from(self.sessions) {
                break;
            }
            if !self.skip.contains(&date) {
                let start = tz
                    .to_ambiguous_zoned(date.to_datetime(self.start))
                    .compatible()
                    .expect("in range");
                let end = tz
                    .to_ambiguous_zoned(date.to_datetime(self.end))
                    .compatible()
                    .expect("in range");
                out.push(Occurrence { date, start, end });
            }
            date = date.checked_add(jiff::Span::new().weeks(1)).expect("date in range");
        }
        out
    }
}

/// One meeting on `date` from local `start` to `end` in `tz`, by the same rule as a
/// pattern's occurrences (a time in a spring-forward gap moves later, an ambiguous one
/// takes the earlier instant); `None` when the end is not after the start.
pub fn occurrence(date: Date, start: Time, end: Time, tz: &TimeZone) -> Option<Occurrence> {
    MeetingPattern::new(date.weekday(), date, start, end, 1, [])
        .ok()?
        .occurrences(tz)
        .into_iter()
        .next()
}

/// Where a copied class's sessions fall, and the holidays that pushed them later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedDates {
    /// One date per source session, in the same order.
    pub dates: Vec<Date>,
    /// Holidays a session would have fallen on, in date order.
    pub skipped: Vec<Date>,
}

/// Lays a class's sessions (their local dates, in order) out again from `new_first`,
/// for the next semester.
///
/// The rule: the copy starts on the first day on or after `new_first` that has the
/// source's first weekday. Each session keeps its weekday and its place within its week
/// (a Tuesday-and-Thursday class stays one), and the source's meeting weeks follow one
/// another a week apart: gaps in the source are not copied, because they were usually
/// that semester's own holidays. A session that falls on one of `holidays` moves a week
/// later, and every later session with it, so the class still meets as many times.
/// Rejected alternative: copying each session's exact day offset, which would repeat
/// the old semester's holiday gaps and miss the new one's.
pub fn copy_dates(source: &[Date], new_first: Date, holidays: &BTreeSet<Date>) -> Result<CopiedDates, ScheduleError> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&new_first.year()) {
        return Err(ScheduleError::DateOutOfRange);
    }
    if source.len() > usize::from(MAX_SESSIONS) {
        return Err(ScheduleError::TooManySessions);
    }
    let Some(&anchor) = source.first() else {
        return Ok(CopiedDates {
            dates: Vec::new(),
            skipped: Vec::new(),
        });
    };
    let start = if new_first.weekday() == anchor.weekday() {
        new_first
    } else {
        new_first
            .nth_weekday(1, anchor.weekday())
            .map_err(|_| ScheduleError::DateOutOfRange)?
    };
    let days = |d: Date| (d - anchor).get_days() as i64;
    // Source weeks, counted from the first session's weekday, compressed to 0, 1, 2, ...
    let mut week = 0i64;
    let mut last_source_week = None;
    let mut shift = 0i64;
    let mut dates = Vec::with_capacity(source.len());
    let mut skipped = Vec::new();
    for d in source {
        let offset = days(*d);
        let source_week = offset.div_euclid(7);
        match last_source_week {
            Some(w) if w == source_week => {}
            Some(_) => week += 1,
            None => {}
        }
        last_source_week = Some(source_week);
        let in_week = offset.rem_euclid(7);
        // Bounded: each holiday can push the series at most once.
        let mut date = None;
        for _ in 0..=holidays.len() {
            let candidate = start
                .checked_add(jiff::Span::new().days((week + shift) * 7 + in_week))
                .map_err(|_| ScheduleError::DateOutOfRange)?;
            if holidays.contains(&candidate) {
                skipped.push(candidate);
                shift += 1;
            } else {
                date = Some(candidate);
                break;
            }
        }
        dates.push(date.ok_or(ScheduleError::DateOutOfRange)?);
    }
    if dates.last().is_some_and(|d| d.year() > LAST_YEAR) {
        return Err(ScheduleError::DateOutOfRange);
    }
    skipped.sort();
    skipped.dedup();
    Ok(CopiedDates { dates, skipped })
}

impl Occurrence {
    /// Start as a UTC instant, for storage and ordering.
    pub fn starts_at(&self) -> Timestamp {
        self.start.timestamp()
    }
    /// End as a UTC instant.
    pub fn ends_at(&self) -> Timestamp {
        self.end.timestamp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn la() -> TimeZone {
        TimeZone::get("America/Los_Angeles").unwrap()
    }

    #[test]
    fn weekly_sessions_keep_local_time_across_dst() {
        // Fall 2026: US clocks go back on Sunday 1 November.
        let p = MeetingPattern::new(
            Weekday::Tuesday,
            date(2026, 10, 20),
            time(18, 0, 0, 0),
            time(20, 0, 0, 0),
            3,
            [],
        )
        .unwrap();
        let occ = p.occurrences(&la());
        let dates: Vec<Date> = occ.iter().map(|o| o.date).collect();
        assert_eq!(dates, vec![date(2026, 10, 20), date(2026, 10, 27), date(2026, 11, 3)]);
        for o in &occ {
            assert_eq!(o.start.time(), time(18, 0, 0, 0));
            assert_eq!(o.end.time(), time(20, 0, 0, 0));
        }
        // 18:00 PDT is 01:00Z; 18:00 PST is 02:00Z.
        assert_eq!(occ[1].starts_at().to_string(), "2026-10-28T01:00:00Z");
        assert_eq!(occ[2].starts_at().to_string(), "2026-11-04T02:00:00Z");
    }

    #[test]
    fn skipped_dates_push_the_series_later() {
        let p = MeetingPattern::new(
            Weekday::Wednesday,
            date(2026, 11, 18),
            time(18, 0, 0, 0),
            time(20, 0, 0, 0),
            3,
            [date(2026, 11, 25)],
        )
        .unwrap();
        let dates: Vec<Date> = p.occurrences(&la()).iter().map(|o| o.date).collect();
        assert_eq!(dates, vec![date(2026, 11, 18), date(2026, 12, 2), date(2026, 12, 9)]);
    }

    #[test]
    fn holidays_skip_like_explicit_dates() {
        let p = MeetingPattern::new(
            Weekday::Thursday,
            date(2026, 11, 19),
            time(18, 0, 0, 0),
            time(20, 0, 0, 0),
            2,
            [],
        )
        .unwrap()
        .also_skipping([date(2026, 11, 26), date(2026, 12, 25)]);
        let dates: Vec<Date> = p.occurrences(&la()).iter().map(|o| o.date).collect();
        assert_eq!(dates, vec![date(2026, 11, 19), date(2026, 12, 3)]);
        assert_eq!(p.first_date(), date(2026, 11, 19));
    }

    #[test]
    fn a_copy_meets_weekly_from_its_new_first_date_past_the_new_holidays() {
        // Fall 2026 Thursdays with Thanksgiving skipped (a two-week gap), copied to spring
        // 2027 from Monday, February 8: Thursdays from February 11, weekly, the old gap
        // closed, and spring break (April 8) pushing the rest a week later.
        let source = [
            date(2026, 11, 12),
            date(2026, 11, 19),
            date(2026, 12, 3),
            date(2026, 12, 10),
        ];
        let holidays: BTreeSet<Date> = [date(2027, 2, 25), date(2027, 12, 25)].into();
        let copy = copy_dates(&source, date(2027, 2, 8), &holidays).unwrap();
        assert_eq!(
            copy.dates,
            [
                date(2027, 2, 11),
                date(2027, 2, 18),
                date(2027, 3, 4),
                date(2027, 3, 11)
            ]
        );
        assert_eq!(copy.skipped, [date(2027, 2, 25)]);
    }

    #[test]
    fn a_copy_keeps_two_meetings_a_week_and_their_weekdays() {
        // Tuesday and Thursday, two weeks, with a week off in between.
        let source = [date(2026, 9, 1), date(2026, 9, 3), date(2026, 9, 15), date(2026, 9, 17)];
        let copy = copy_dates(&source, date(2027, 1, 5), &BTreeSet::new()).unwrap();
        assert_eq!(
            copy.dates,
            [date(2027, 1, 5), date(2027, 1, 7), date(2027, 1, 12), date(2027, 1, 14)]
        );
        // A holiday on the second Thursday pushes it and what follows.
        let holidays: BTreeSet<Date> = [date(2027, 1, 7)].into();
        let copy = copy_dates(&source, date(2027, 1, 5), &holidays).unwrap();
        assert_eq!(
            copy.dates,
            [
                date(2027, 1, 5),
                date(2027, 1, 14),
                date(2027, 1, 19),
                date(2027, 1, 21)
            ]
        );
        assert!(copy_dates(&[], date(2027, 1, 5), &holidays).unwrap().dates.is_empty());
        assert_eq!(
            copy_dates(&source, date(3000, 1, 1), &holidays),
            Err(ScheduleError::DateOutOfRange)
        );
    }

    #[test]
    fn a_single_meeting_keeps_its_wall_clock_time() {
        let o = occurrence(date(2027, 3, 16), time(18, 0, 0, 0), time(20, 0, 0, 0), &la()).unwrap();
        assert_eq!(o.starts_at().to_string(), "2027-03-17T01:00:00Z");
        assert!(occurrence(date(2027, 3, 16), time(18, 0, 0, 0), time(18, 0, 0, 0), &la()).is_none());
    }

    #[test]
    fn first_date_rolls_forward_to_the_weekday() {
        // 2026-09-01 is a Tuesday; a Thursday pattern starts on the 3rd.
        let p = MeetingPattern::new(
            Weekday::Thursday,
            date(2026, 9, 1),
            time(9, 0, 0, 0),
            time(10, 0, 0, 0),
            1,
            [],
        )
        .unwrap();
        assert_eq!(p.occurrences(&la())[0].date, date(2026, 9, 3));
    }

    #[test]
    fn spring_forward_gap_moves_later_not_earlier() {
        // 02:30 on 8 March 2026 does not exist in Los Angeles.
        let p = MeetingPattern::new(
            Weekday::Sunday,
            date(2026, 3, 8),
            time(2, 30, 0, 0),
            time(4, 0, 0, 0),
            1,
            [],
        )
        .unwrap();
        let o = &p.occurrences(&la())[0];
        assert_eq!(o.start.time(), time(3, 30, 0, 0));
        assert!(o.ends_at() > o.starts_at());
    }

    #[test]
    fn invalid_patterns_are_refused() {
        let d = date(2026, 9, 1);
        let t = time(18, 0, 0, 0);
        assert_eq!(
            MeetingPattern::new(Weekday::Monday, d, t, t, 3, []),
            Err(ScheduleError::EndNotAfterStart)
        );
        assert_eq!(
            MeetingPattern::new(Weekday::Monday, d, t, time(19, 0, 0, 0), 0, []),
            Err(ScheduleError::NoSessions)
        );
        assert_eq!(
            MeetingPattern::new(Weekday::Monday, d, t, time(19, 0, 0, 0), MAX_SESSIONS + 1, []),
            Err(ScheduleError::TooManySessions)
        );
    }

    #[test]
    fn skipping_every_candidate_still_terminates() {
        let skips: Vec<Date> = (0..10)
            .map(|w| date(2026, 9, 7).checked_add(jiff::Span::new().weeks(w)).unwrap())
            .collect();
        let p = MeetingPattern::new(
            Weekday::Monday,
            date(2026, 9, 7),
            time(18, 0, 0, 0),
            time(19, 0, 0, 0),
            2,
            skips,
        )
        .unwrap();
        // Every week in range is skipped, so the bounded loop yields nothing rather than spinning.
        assert!(p.occurrences(&la()).len() <= 2);
    }

    #[test]
    fn a_teen_semester_skips_thanksgiving_and_keeps_its_evening_across_the_fall_change() {
        // Fall 2026: Thursdays 18:00-20:00 from September 10, twelve evenings, no class on
        // Thanksgiving (November 26); clocks fall back on November 1.
        let tz = TimeZone::get("America/Los_Angeles").unwrap();
        let thanksgiving = date(2026, 11, 26);
        let p = MeetingPattern::new(
            Weekday::Thursday,
            date(2026, 9, 10),
            time(18, 0, 0, 0),
            time(20, 0, 0, 0),
            12,
            [thanksgiving],
        )
        .unwrap();
        let o = p.occurrences(&tz);
        assert_eq!(o.len(), 12);
        assert!(o.iter().all(|x| x.date != thanksgiving));
        assert_eq!(
            o.last().unwrap().date,
            date(2026, 12, 3),
            "one week later than without the holiday"
        );
        assert!(o.iter().all(|x| x.start.time() == time(18, 0, 0, 0)));
        let utc_hours: Vec<i8> = o.iter().map(|x| x.starts_at().to_zoned(TimeZone::UTC).hour()).collect();
        assert_eq!(utc_hours[..8], [1; 8], "PDT: 18:00 is 01:00 UTC");
        assert_eq!(utc_hours[8..], [2; 4], "PST after November 1: 02:00 UTC");
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 512, failure_persistence: None, ..Default::default() })]

        /// Any inputs either are refused with a reason or expand to exactly the asked
        /// number of meetings: on the weekday, a week or more apart, never on a skipped
        /// date, at the asked wall-clock time (later only inside a spring-forward gap).
        #[test]
        fn any_pattern_is_refused_or_expands_exactly(
            weekday in 0i8..7,
            year in -9999i16..=9999,
            month in 1i8..=12,
            day in 1i8..=28,
            start in (0i8..24, 0i8..60),
            end in (0i8..24, 0i8..60),
            sessions in 0u16..80,
            skip_weeks in proptest::collection::vec(0i64..90, 0..10),
            zone in proptest::sample::select(vec!["America/New_York", "America/Los_Angeles", "Europe/London",
                "Australia/Lord_Howe", "Pacific/Apia", "UTC", "America/Santiago"]),
        ) {
            let weekday = Weekday::from_monday_zero_offset(weekday).unwrap();
            let first = Date::new(year, month, day).unwrap();
            let (start, end) = (Time::new(start.0, start.1, 0, 0).unwrap(), Time::new(end.0, end.1, 0, 0).unwrap());
            let skip: Vec<Date> = skip_weeks
                .iter()
                .filter_map(|w| first.checked_add(jiff::Span::new().days(*w * 7 % 700)).ok())
                .collect();
            let tz = TimeZone::get(zone).unwrap();
            match MeetingPattern::new(weekday, first, start, end, sessions, skip.clone()) {
                Err(e) => proptest::prop_assert!(!e.to_string().is_empty()),
                Ok(p) => {
                    let got = p.occurrences(&tz);
                    proptest::prop_assert_eq!(got.len(), usize::from(sessions));
                    for (i, o) in got.iter().enumerate() {
                        proptest::prop_assert_eq!(o.date.weekday(), weekday);
                        proptest::prop_assert!(o.date >= first && !skip.contains(&o.date));
                        proptest::prop_assert!(o.starts_at() < o.ends_at() || o.start.time() > start);
                        proptest::prop_assert!(o.start.time() >= start, "{} starts before {}", o.start, start);
                        if i > 0 {
                            proptest::prop_assert!(o.date >= got[i - 1].date.checked_add(jiff::Span::new().weeks(1)).unwrap());
                        }
                    }
                }
            }
        }
    }
}
