//! Resource officers' activity log: checking an entry (never a student's name in a
//! structured field; a warning when the note looks like it names people) and summing
//! entries into monthly figures per school.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::ids::SchoolId;
use super::program::coded_enum;

coded_enum! {
    /// What an officer did at a school or college.
    ActivityKind {
        Presentation = "presentation" / "Presentation",
        Mentoring = "mentoring" / "Mentoring",
        StaffMeeting = "staff_meeting" / "Meeting with staff",
        Event = "event" / "Event",
        SafetyDrill = "safety_drill" / "Safety drill",
        IncidentFollowUp = "incident_follow_up" / "Incident follow-up",
    }
}

/// Longest activity, in minutes (a whole school day and evening).
pub const MAX_MINUTES: u32 = 720;
/// Most people one activity can reach (a stadium assembly).
pub const MAX_PEOPLE: u32 = 5000;
/// Longest note.
pub const MAX_NOTE_CHARS: usize = 500;

/// The activity form as submitted (all text, so every problem can be named).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    pub kind: String,
    pub school_id: String,
    pub occurred_on: String,
    pub minutes: String,
    pub people_reached: String,
    pub note: String,
    /// Set when the officer confirms a note the form warned about.
    pub note_checked: String,
}

/// A checked entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub kind: ActivityKind,
    pub school_id: SchoolId,
    pub occurred_on: Date,
    pub minutes: u32,
    pub people_reached: u32,
    pub note: String,
}

/// Why an entry was not saved: problems with fields, or a note that needs a second look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `(field, message)`.
    Problems(Vec<(&'static str, String)>),
    /// The note may name people; the officer must remove the names or confirm.
    NoteMayNameSomeone(Vec<String>),
}

/// Words that start sentences or name places and roles, not people.
const NOT_NAMES: &[&str] = &[
    "A",
    "An",
    "The",
    "We",
    "I",
    "He",
    "She",
    "They",
    "It",
    "This",
    "That",
    "Met",
    "Talked",
    "Spoke",
    "Held",
    "Gave",
    "Ran",
    "Went",
    "After",
    "Before",
    "During",
    "With",
    "At",
    "On",
    "In",
    "For",
    "And",
    "Principal",
    "Vice",
    "Counselor",
    "Counselors",
    "Teacher",
    "Teachers",
    "Staff",
    "Students",
    "Student",
    "Parents",
    "School",
    "High",
    "Middle",
    "Elementary",
    "College",
    "Community",
    "Police",
    "Department",
    "Officer",
    "Officers",
    "Sergeant",
    "Lieutenant",
    "Captain",
    "Chief",
    "DARE",
    "PTA",
    "Fire",
    "Drill",
    "Lockdown",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Grade",
    "Class",
    "Room",
    "Gym",
    "Cafeteria",
    "Library",
    "Assembly",
    "Safety",
    "Traffic",
    "No",
    "All",
];

/// Pairs of capitalized words in the note that read like a person's name ("Maria
/// Lopez"), for the form's warning. Deliberately cautious: a false alarm costs one
/// click, a name in the log stays in the department's records.
pub fn possible_names(note: &str) -> Vec<String> {
    let words: Vec<&str> = note
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '"'))
        .filter(|w| !w.is_empty())
        .collect();
    let capitalized = |w: &str| {
        let w = w.trim_end_matches(['.', '!', '?', '\'']);
        let mut chars = w.chars();
        matches!(chars.next(), Some(c) if c.is_uppercase())
            && w.chars().count() >= 2
            && chars.all(|c| c.is_lowercase() || c == '-' || c == '\'')
            && !NOT_NAMES.contains(&w)
    };
    let mut found = Vec::new();
    for (i, pair) in words.windows(2).enumerate() {
        // A sentence's first word is capitalized anyway: a log line starting with a verb
        // ("Mentored Maria ...") is not a name. A sentence end breaks a pair.
        let starts_sentence = i == 0 || words[i - 1].ends_with(['.', '!', '?']);
        let verb = pair[0].ends_with("ed") || pair[0].ends_with("ing");
        if (starts_sentence && verb) || pair[0].ends_with(['.', '!', '?']) {
            continue;
        }
        if capitalized(pair[0]) && capitalized(pair[1]) {
            let name = format!("{} {}", pair[0], pair[1].trim_end_matches(['.', '!', '?']));
            if !found.contains(&name) {
                found.push(name);
            }
        }
    }
    found
}

impl ActivityForm {
    /// Checks the entry against the known schools and `today` (no entries for the future).
    pub fn check(&self, schools: &[SchoolId], today: Date) -> Result<Activity, Refusal> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let kind = ActivityKind::parse(self.kind.trim());
        if kind.is_none() {
            problems.push(("kind", "Choose what kind of activity it was.".into()));
        }
        let school_id = self
            .school_id
            .trim()
            .parse::<SchoolId>()
            .ok()
            .filter(|id| schools.contains(id));
        if school_id.is_none() {
            problems.push(("school_id", "Choose the school or college from the list.".into()));
        }
        let occurred_on = match self.occurred_on.trim().parse::<Date>() {
            Ok(d) if d > today => {
                problems.push(("occurred_on", "The date cannot be in the future.".into()));
                None
            }
            Ok(d) if d < today.saturating_sub(jiff::ToSpan::years(1)) => {
                problems.push(("occurred_on", "Log activities within a year of the day.".into()));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                problems.push((
                    "occurred_on",
                    "Enter the date as year-month-day, e.g. 2026-10-14.".into(),
                ));
                None
            }
        };
        let number = |raw: &str, max: u32, min: u32| raw.trim().parse::<u32>().ok().filter(|n| (min..=max).contains(n));
        let minutes = number(&self.minutes, MAX_MINUTES, 1);
        if minutes.is_none() {
            problems.push(("minutes", format!("Enter the minutes spent, from 1 to {MAX_MINUTES}.")));
        }
        let people_reached = number(&self.people_reached, MAX_PEOPLE, 0);
        if people_reached.is_none() {
            problems.push((
                "people_reached",
                format!("Enter how many people took part, from 0 to {MAX_PEOPLE}."),
            ));
        }
        let note = self.note.trim().to_string();
        if note.chars().count() > MAX_NOTE_CHARS {
            problems.push(("note", format!("Keep the note under {MAX_NOTE_CHARS} characters.")));
        }
        let (Some(kind), Some(school_id), Some(occurred_on), Some(minutes), Some(people_reached), true) = (
            kind,
            school_id,
            occurred_on,
            minutes,
            people_reached,
            problems.is_empty(),
        ) else {
            return Err(Refusal::Problems(problems));
        };
        let names = possible_names(&note);
        if !names.is_empty() && self.note_checked.is_empty() {
            return Err(Refusal::NoteMayNameSomeone(names));
        }
        Ok(Activity {
            kind,
            school_id,
            occurred_on,
            minutes,
            people_reached,
            note,
        })
    }
}

/// One stored entry, as summaries read it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub school: String,
    pub occurred_on: Date,
    pub kind: ActivityKind,
    pub minutes: u32,
    pub people_reached: u32,
}

/// One school's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthSummary {
    /// `YYYY-MM`.
    pub month: String,
    pub school: String,
    pub activities: u32,
    pub minutes: u32,
    pub people_reached: u32,
    /// `(kind, count)` in the kinds' order, only kinds that happened.
    pub by_kind: Vec<(ActivityKind, u32)>,
}

impl MonthSummary {
    /// Hours, to one decimal.
    pub fn hours(&self) -> f64 {
        hours(u64::from(self.minutes))
    }
}

/// Minutes as hours to one decimal, as every engagement figure shows them.
pub fn hours(minutes: u64) -> f64 {
    (minutes as f64 / 6.0).round() / 10.0
}

/// Sums entries per month and school, newest month first, schools by name.
pub fn monthly(entries: &[Entry]) -> Vec<MonthSummary> {
    // (activities, minutes, people, count per kind index) per (month, school).
    type Sums = (u32, u32, u32, BTreeMap<usize, u32>);
    let mut groups: BTreeMap<(String, String), Sums> = BTreeMap::new();
    for e in entries {
        let month = format!("{:04}-{:02}", e.occurred_on.year(), e.occurred_on.month());
        let g = groups.entry((month, e.school.clone())).or_default();
        g.0 += 1;
        g.1 += e.minutes;
        g.2 += e.people_reached;
        let index = ActivityKind::ALL.iter().position(|k| *k == e.kind).unwrap_or(0);
        *g.3.entry(index).or_default() += 1;
    }
    let mut out: Vec<MonthSummary> = groups
        .into_iter()
        .map(
            |((month, school), (activities, minutes, people_reached, kinds))| MonthSummary {
                month,
                school,
                activities,
                minutes,
                people_reached,
                by_kind: kinds.into_iter().map(|(i, n)| (ActivityKind::ALL[i], n)).collect(),
            },
        )
        .collect();
    out.sort_by(|a, b| b.month.cmp(&a.month).then(a.school.cmp(&b.school)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn form() -> ActivityForm {
        ActivityForm {
            kind: "presentation".into(),
            school_id: "2".into(),
            occurred_on: "2026-11-30".into(),
            minutes: "45".into(),
            people_reached: "28".into(),
            note: "Internet safety talk for two ninth-grade classes.".into(),
            note_checked: String::new(),
        }
    }

    #[test]
    fn a_good_entry_is_read() {
        let a = form()
            .check(&[SchoolId::new(1), SchoolId::new(2)], date(2026, 12, 2))
            .unwrap();
        assert_eq!(a.kind, ActivityKind::Presentation);
        assert_eq!((a.school_id, a.minutes, a.people_reached), (SchoolId::new(2), 45, 28));
    }

    #[test]
    fn every_problem_is_named() {
        let bad = ActivityForm {
            kind: "lunch".into(),
            school_id: "9".into(),
            occurred_on: "2026-12-25".into(),
            minutes: "0".into(),
            people_reached: "-3".into(),
            note: "x".repeat(501),
            note_checked: String::new(),
        };
        let Err(Refusal::Problems(p)) = bad.check(&[SchoolId::new(1), SchoolId::new(2)], date(2026, 12, 2)) else {
            panic!("refused")
        };
        let fields: Vec<&str> = p.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["kind", "school_id", "occurred_on", "minutes", "people_reached", "note"]
        );
    }

    #[test]
    fn notes_that_look_like_names_need_a_second_look() {
        assert_eq!(
            possible_names("Mentored Maria Lopez and Dev Patel after the fight."),
            ["Maria Lopez", "Dev Patel"]
        );
        assert!(possible_names("Met the Vice Principal. Talked about the Friday Assembly.").is_empty());
        assert_eq!(possible_names("Ana Ruiz asked about the drill."), ["Ana Ruiz"]);
        assert!(possible_names("Lockdown drill with all grades at Bayside High School.").is_empty());
        let mut f = form();
        f.note = "Follow-up with Jordan Reyes about the bus stop.".into();
        assert_eq!(
            f.check(&[SchoolId::new(2)], date(2026, 12, 2)),
            Err(Refusal::NoteMayNameSomeone(vec!["Jordan Reyes".into()]))
        );
        f.note_checked = "yes".into();
        assert!(
            f.check(&[SchoolId::new(2)], date(2026, 12, 2)).is_ok(),
            "the officer may confirm it is no student"
        );
    }

    #[test]
    fn months_sum_per_school() {
        let e = |school: &str, d: Date, kind, minutes, people| Entry {
            school: school.into(),
            occurred_on: d,
            kind,
            minutes,
            people_reached: people,
        };
        let entries = [
            e("Bayside High", date(2026, 11, 3), ActivityKind::Presentation, 50, 30),
            e("Bayside High", date(2026, 11, 20), ActivityKind::Mentoring, 40, 2),
            e("Bayside High", date(2026, 11, 21), ActivityKind::Presentation, 45, 25),
            e(
                "Harbor Point High",
                date(2026, 11, 5),
                ActivityKind::SafetyDrill,
                90,
                610,
            ),
            e("Bayside High", date(2026, 10, 30), ActivityKind::Event, 120, 200),
        ];
        let m = monthly(&entries);
        assert_eq!(m.len(), 3);
        assert_eq!((m[0].month.as_str(), m[0].school.as_str()), ("2026-11", "Bayside High"));
        assert_eq!((m[0].activities, m[0].minutes, m[0].people_reached), (3, 135, 57));
        assert_eq!(m[0].hours(), 2.3);
        assert_eq!(
            m[0].by_kind,
            [(ActivityKind::Presentation, 2), (ActivityKind::Mentoring, 1)]
        );
        assert_eq!((m[1].school.as_str(), m[1].people_reached), ("Harbor Point High", 610));
        assert_eq!((m[2].month.as_str(), m[2].minutes), ("2026-10", 120));
    }
}
