//! Who graduates: a program's attendance rule applied to one participant's marks, and
//! when attendance and graduation may be recorded at all.
//!
//! Timing policy: marks describe something that happened, so a session's attendance is
//! taken from [`CHECK_IN_LEAD_MINUTES`] before it starts (people are checked in at the
//! door) and never earlier; a class graduates once its last held session has started
//! (the last evening is often the ceremony itself), never before. Both compare with the
//! real clock passed in as `now`.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::program::coded_enum;

coded_enum! {
    /// How a participant was marked for one session.
    Mark {
        Present = "present" / "Present",
        Late = "late" / "Late",
        Excused = "excused" / "Excused",
        Absent = "absent" / "Absent",
    }
}

/// One participant's record for one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    pub mark: Mark,
    /// How late they arrived, when the mark is `Late` and someone noted it.
    pub minutes_late: Option<u32>,
    /// The missed session was made up (a make-up session, or the same session in another class).
    pub made_up: bool,
}

impl Record {
    pub fn new(mark: Mark) -> Self {
        Record {
            mark,
            minutes_late: None,
            made_up: false,
        }
    }
}

/// A program's graduation rule, stored with the program as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraduationRule {
    /// Most absences allowed.
    pub max_absences: u32,
    /// Whether an excused absence counts against `max_absences`.
    pub excused_counts: bool,
    /// Whether any late arrival counts as an absence.
    pub late_counts: bool,
    /// Arriving more than this many minutes late counts as an absence.
    pub late_limit_minutes: Option<u32>,
    /// How many absences a participant may make up at make-up sessions.
    pub max_makeups: u32,
    /// Whether a completed ride-along is required.
    pub ride_along_required: bool,
}

impl Default for GraduationRule {
    fn default() -> Self {
        GraduationRule {
            max_absences: 2,
            excused_counts: false,
            late_counts: false,
            late_limit_minutes: None,
            max_makeups: 0,
            ride_along_required: false,
        }
    }
}

/// The rule's verdict for one participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub graduates: bool,
    /// Absences as the rule counts them, after make-ups.
    pub absences: u32,
    /// Sessions held but not marked (counted as absences until someone marks them).
    pub unmarked: u32,
    pub attended: u32,
    /// Absences the rule forgave because they were made up.
    pub made_up: u32,
    /// The rule requires a ride-along that is not done yet.
    pub missing_ride_along: bool,
}

impl GraduationRule {
    /// Whether one session's record counts as an absence before make-ups.
    fn is_absence(&self, record: &Record) -> bool {
        match record.mark {
            Mark::Present => false,
            Mark::Late => {
                self.late_counts
                    || matches!((self.late_limit_minutes, record.minutes_late), (Some(limit), Some(m)) if m > limit)
            }
            Mark::Excused => self.excused_counts,
            Mark::Absent => true,
        }
    }

    /// Applies the rule to the records of every session held (`None`: not marked) and the
    /// participant's ride-along.
    pub fn evaluate(&self, records: &[Option<Record>], ride_along_done: bool) -> Verdict {
        let mut absences = 0;
        let mut unmarked = 0;
        let mut attended = 0;
        let mut made_up = 0;
        for record in records {
            let Some(record) = record else {
                unmarked += 1;
                absences += 1;
                continue;
            };
            if matches!(record.mark, Mark::Present | Mark::Late) {
                attended += 1;
            }
            if self.is_absence(record) {
                if record.made_up && made_up < self.max_makeups {
                    made_up += 1;
                } else {
                    absences += 1;
                }
            }
        }
        let missing_ride_along = self.ride_along_required && !ride_along_done;
        Verdict {
            graduates: absences <= self.max_absences && !missing_ride_along,
            absences,
            unmarked,
            attended,
            made_up,
            missing_ride_along,
        }
    }

    /// Checks a rule as a coordinator set it; every problem is listed.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if self.max_absences > 60 {
            errors.push("Allow at most 60 absences.".to_string());
        }
        if self.max_makeups > 20 {
            errors.push("Allow at most 20 make-ups.".to_string());
        }
        match self.late_limit_minutes {
            Some(m) if !(1..=180).contains(&m) => {
                errors.push("The lateness limit must be between 1 and 180 minutes.".to_string())
            }
            Some(_) if self.late_counts => errors.push(
                "Either every late arrival counts as an absence, or only those past the limit: choose one.".to_string(),
            ),
            _ => {}
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The rule in plain words.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "Graduates miss at most {} session{}",
            self.max_absences,
            plural(self.max_absences)
        );
        s.push_str(if self.excused_counts {
            "; excused absences count"
        } else {
            "; excused absences do not count"
        });
        if self.late_counts {
            s.push_str("; arriving late counts as an absence");
        } else if let Some(limit) = self.late_limit_minutes {
            s.push_str(&format!(
                "; arriving more than {limit} minute{} late counts as an absence",
                plural(limit)
            ));
        }
        if self.max_makeups > 0 {
            s.push_str(&format!(
                "; up to {} missed session{} can be made up",
                self.max_makeups,
                plural(self.max_makeups)
            ));
        }
        if self.ride_along_required {
            s.push_str("; a completed ride-along is required");
        }
        s.push('.');
        s
    }
}

/// How long before a session starts its attendance may be taken: long enough to check
/// people in at the door, too short to mark a session that has not happened.
pub const CHECK_IN_LEAD_MINUTES: i64 = 30;

/// Why marks or a graduation cannot be recorded yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooEarly {
    /// The session is further ahead than the check-in lead; marks open at `opens_at`.
    Session { opens_at: Timestamp },
    /// The class's last held session has not started; it starts at `starts_at`.
    Graduation { starts_at: Timestamp },
    /// The class holds no session, so there is nothing to graduate from.
    NoSessions,
}

impl TooEarly {
    /// A stable identifier for the API's problem `type`.
    pub fn slug(&self) -> &'static str {
        match self {
            TooEarly::Session { .. } => "session-not-started",
            TooEarly::Graduation { .. } | TooEarly::NoSessions => "class-not-finished",
        }
    }

    /// The refusal in plain words, times in the department's zone.
    pub fn message(&self, tz: &TimeZone) -> String {
        let when = |t: Timestamp| {
            t.to_zoned(tz.clone())
                .strftime("%A, %B %-d, %Y at %-I:%M %p")
                .to_string()
        };
        match self {
            TooEarly::Session { opens_at } => format!(
                "This session has not started yet. Attendance can be taken from {}, \
                 {CHECK_IN_LEAD_MINUTES} minutes before it starts.",
                when(*opens_at)
            ),
            TooEarly::Graduation { starts_at } => format!(
                "This class cannot graduate before its last session, on {}. \
                 Confirm graduation once that session has started.",
                when(*starts_at)
            ),
            TooEarly::NoSessions => {
                "This class has no sessions, so nobody can graduate from it. Add its sessions first.".to_string()
            }
        }
    }
}

/// When attendance for a session starting at `starts_at` may first be taken.
pub fn marking_opens_at(starts_at: Timestamp) -> Timestamp {
    starts_at
        .checked_sub(SignedDuration::from_mins(CHECK_IN_LEAD_MINUTES))
        .unwrap_or(starts_at)
}

/// Why a class's marks can no longer change, if they cannot: once it graduated, its
/// verdicts and certificates rest on them; a cancelled class has nothing left to mark.
pub fn marks_locked(status: super::ClassStatus) -> Option<&'static str> {
    match status {
        super::ClassStatus::Completed => {
            Some("Attendance is locked: this class has graduated, and its certificates rest on these marks.")
        }
        super::ClassStatus::Cancelled => Some("Attendance is locked: this class is cancelled."),
        _ => None,
    }
}

/// Whether attendance may be taken at `now` for a session starting at `starts_at`.
pub fn check_marking(starts_at: Timestamp, now: Timestamp) -> Result<(), TooEarly> {
    let opens_at = marking_opens_at(starts_at);
    if now < opens_at {
        Err(TooEarly::Session { opens_at })
    } else {
        Ok(())
    }
}

/// Whether a class may graduate at `now`, given the starts of its held (not cancelled)
/// sessions: the last one must have started.
pub fn check_graduation(held_starts: impl IntoIterator<Item = Timestamp>, now: Timestamp) -> Result<(), TooEarly> {
    match held_starts.into_iter().max() {
        None => Err(TooEarly::NoSessions),
        Some(starts_at) if now < starts_at => Err(TooEarly::Graduation { starts_at }),
        Some(_) => Ok(()),
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {

    #[test]
    fn marks_lock_once_a_class_graduates_or_is_cancelled() {
        use crate::domain::ClassStatus;
        assert!(marks_locked(ClassStatus::InProgress).is_none());
        assert!(marks_locked(ClassStatus::Completed).unwrap().contains("graduated"));
        assert!(marks_locked(ClassStatus::Cancelled).is_some());
    }

    use super::*;
    use Mark::*;

    fn marks(v: &[Mark]) -> Vec<Option<Record>> {
        v.iter().copied().map(|m| Some(Record::new(m))).collect()
    }

    fn late(minutes: u32) -> Option<Record> {
        Some(Record {
            minutes_late: Some(minutes),
            ..Record::new(Late)
        })
    }

    fn made_up(mark: Mark) -> Option<Record> {
        Some(Record {
            made_up: true,
            ..Record::new(mark)
        })
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn attendance_opens_half_an_hour_before_the_session() {
        let starts = ts("2027-03-02T02:00:00Z");
        assert_eq!(
            check_marking(starts, ts("2027-03-02T01:29:59Z")),
            Err(TooEarly::Session {
                opens_at: ts("2027-03-02T01:30:00Z")
            })
        );
        assert_eq!(
            check_marking(starts, ts("2027-03-02T01:30:00Z")),
            Ok(()),
            "check-in at the door"
        );
        assert_eq!(
            check_marking(starts, ts("2027-03-09T02:00:00Z")),
            Ok(()),
            "a week later, corrections"
        );
        assert!(
            check_marking(starts, ts("2027-02-23T02:00:00Z")).is_err(),
            "a week ahead"
        );
    }

    #[test]
    fn a_class_graduates_once_its_last_session_has_started() {
        let first = ts("2027-03-02T02:00:00Z");
        let last = ts("2027-03-09T02:00:00Z");
        assert_eq!(
            check_graduation([last, first], ts("2027-03-09T01:59:00Z")),
            Err(TooEarly::Graduation { starts_at: last })
        );
        assert_eq!(check_graduation([first, last], last), Ok(()));
        assert_eq!(check_graduation([], last), Err(TooEarly::NoSessions));
    }

    #[test]
    fn refusals_say_when_in_local_time() {
        let tz = TimeZone::get("America/Los_Angeles").unwrap();
        let early = TooEarly::Session {
            opens_at: ts("2027-03-02T01:30:00Z"),
        };
        assert_eq!(
            early.message(&tz),
            "This session has not started yet. Attendance can be taken from Monday, March 1, 2027 at 5:30 PM, \
             30 minutes before it starts."
        );
        assert_eq!(early.slug(), "session-not-started");
        let graduation = TooEarly::Graduation {
            starts_at: ts("2027-03-09T02:00:00Z"),
        };
        assert!(
            graduation
                .message(&tz)
                .contains("before its last session, on Monday, March 8, 2027 at 6:00 PM")
        );
        assert_eq!(graduation.slug(), "class-not-finished");
    }

    #[test]
    fn at_most_two_absences_by_default() {
        let rule = GraduationRule::default();
        assert!(
            rule.evaluate(&marks(&[Present, Absent, Absent, Present]), false)
                .graduates
        );
        assert!(
            !rule
                .evaluate(&marks(&[Absent, Absent, Absent, Present]), false)
                .graduates
        );
    }

    #[test]
    fn excused_absences_count_only_when_the_program_says() {
        let m = marks(&[Excused, Excused, Excused, Present]);
        assert!(GraduationRule::default().evaluate(&m, false).graduates);
        let strict = GraduationRule {
            excused_counts: true,
            ..Default::default()
        };
        assert!(!strict.evaluate(&m, false).graduates);
    }

    #[test]
    fn lateness_counts_only_when_the_program_says() {
        let m = marks(&[Late, Late, Late, Present]);
        let v = GraduationRule::default().evaluate(&m, false);
        assert!(v.graduates);
        assert_eq!(v.attended, 4);
        let strict = GraduationRule {
            late_counts: true,
            ..Default::default()
        };
        assert_eq!(strict.evaluate(&m, false).absences, 3);
        assert!(!strict.evaluate(&m, false).graduates);
    }

    #[test]
    fn unmarked_sessions_count_until_marked() {
        let v = GraduationRule::default().evaluate(&[None, None, None, Some(Record::new(Present))], false);
        assert_eq!((v.unmarked, v.absences, v.graduates), (3, 3, false));
    }

    #[test]
    fn a_required_ride_along_must_be_done() {
        let rule = GraduationRule {
            ride_along_required: true,
            ..Default::default()
        };
        let m = marks(&[Present, Present]);
        let v = rule.evaluate(&m, false);
        assert!(!v.graduates && v.missing_ride_along);
        assert!(rule.evaluate(&m, true).graduates);
        assert!(
            GraduationRule::default().evaluate(&m, false).graduates,
            "not required by default"
        );
    }

    #[test]
    fn arriving_later_than_the_limit_counts_as_absent() {
        let rule = GraduationRule {
            max_absences: 0,
            late_limit_minutes: Some(15),
            ..Default::default()
        };
        let on_the_edge = rule.evaluate(&[late(15), late(3)], false);
        assert_eq!(
            (on_the_edge.absences, on_the_edge.attended, on_the_edge.graduates),
            (0, 2, true)
        );
        let too_late = rule.evaluate(&[late(16), late(3)], false);
        assert_eq!(
            (too_late.absences, too_late.attended, too_late.graduates),
            (1, 2, false)
        );
        // Nobody noted the minutes: the limit cannot be applied.
        assert!(rule.evaluate(&marks(&[Late]), false).graduates);
        // Without a limit, minutes do not matter.
        assert!(
            GraduationRule {
                max_absences: 0,
                ..Default::default()
            }
            .evaluate(&[late(90)], false)
            .graduates
        );
    }

    #[test]
    fn made_up_absences_are_forgiven_up_to_the_limit() {
        let rule = GraduationRule {
            max_absences: 1,
            max_makeups: 1,
            ..Default::default()
        };
        let one = rule.evaluate(
            &[made_up(Absent), Some(Record::new(Absent)), Some(Record::new(Present))],
            false,
        );
        assert_eq!((one.absences, one.made_up, one.graduates), (1, 1, true));
        let two = rule.evaluate(&[made_up(Absent), made_up(Absent), Some(Record::new(Absent))], false);
        assert_eq!((two.absences, two.made_up, two.graduates), (2, 1, false));
        // A program without make-ups ignores the flag.
        let none = GraduationRule {
            max_absences: 0,
            ..Default::default()
        }
        .evaluate(&[made_up(Absent)], false);
        assert_eq!((none.absences, none.made_up, none.graduates), (1, 0, false));
        // Making up a session that was not an absence forgives nothing.
        assert_eq!(rule.evaluate(&[made_up(Present)], false).made_up, 0);
    }

    #[test]
    fn a_late_arrival_past_the_limit_can_be_made_up() {
        let rule = GraduationRule {
            max_absences: 0,
            late_limit_minutes: Some(10),
            max_makeups: 1,
            ..Default::default()
        };
        let record = Some(Record {
            made_up: true,
            ..late(40).unwrap()
        });
        assert!(rule.evaluate(&[record], false).graduates);
    }

    #[test]
    fn the_rule_reads_as_a_sentence() {
        assert_eq!(
            GraduationRule::default().describe(),
            "Graduates miss at most 2 sessions; excused absences do not count."
        );
    }

    #[test]
    fn the_full_rule_reads_as_a_sentence() {
        let rule = GraduationRule {
            max_absences: 1,
            late_limit_minutes: Some(15),
            max_makeups: 1,
            ride_along_required: true,
            ..Default::default()
        };
        assert_eq!(
            rule.describe(),
            "Graduates miss at most 1 session; excused absences do not count; arriving more than 15 minutes \
             late counts as an absence; up to 1 missed session can be made up; a completed ride-along is required."
        );
    }

    #[test]
    fn a_rule_is_checked() {
        assert!(GraduationRule::default().validate().is_ok());
        let bad = GraduationRule {
            max_absences: 61,
            late_counts: true,
            late_limit_minutes: Some(10),
            max_makeups: 21,
            ..Default::default()
        };
        assert_eq!(bad.validate().unwrap_err().len(), 3);
        let zero = GraduationRule {
            late_limit_minutes: Some(0),
            ..Default::default()
        };
        assert_eq!(zero.validate().unwrap_err().len(), 1);
    }
}
