//! DARE at schools: a class is one classroom (school, teacher, grade, number of students)
//! taught a series of lessons by a DARE instructor, ending in a graduation that counts
//! its graduates. Students are never named in what is kept: certificate names are typed
//! at graduation, typeset and forgotten.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::duties::Assignment;
use super::ids::{RequestId, SchoolId, StaffId};
use super::program::{Duty, coded_enum};
use super::schedule::MeetingPattern;

coded_enum! {
    /// Where a DARE class stands.
    DareStatus {
        Scheduled = "scheduled" / "Scheduled",
        Graduated = "graduated" / "Graduated",
        Cancelled = "cancelled" / "Cancelled",
    }
}

coded_enum! {
    /// What became of one lesson.
    LessonStatus {
        Planned = "planned" / "Planned",
        Taught = "taught" / "Taught",
        Cancelled = "cancelled" / "Cancelled",
    }
}

/// The topics of the department's ten-lesson elementary course, in teaching order.
/// A class with more lessons numbers the rest; staff rename none (the course is fixed).
pub const CURRICULUM: &[&str] = &[
    "Why we are here: making safe and responsible choices",
    "Facts about tobacco, vaping and your body",
    "Alcohol: what it does and why it matters",
    "Noticing risks and thinking before acting",
    "Peer pressure and saying no in your own words",
    "Stress: where it comes from and healthy ways to cope",
    "Speaking up clearly and listening well",
    "Bullying: recognizing it, reporting it, standing with others",
    "Trusted adults and where to find help",
    "Review and each student's DARE pledge",
];

/// Most lessons one class may have.
pub const MAX_LESSONS: u16 = 20;
/// Most students in one classroom.
pub const MAX_STUDENTS: u32 = 60;

/// The topic of lesson `position` (from 1).
pub fn topic(position: u16) -> String {
    CURRICULUM
        .get(usize::from(position).saturating_sub(1))
        .map_or_else(|| format!("Lesson {position}"), |t| (*t).to_string())
}

/// "Kindergarten", "1st grade", "5th grade", "12th grade".
pub fn grade_label(grade: u8) -> String {
    let suffix = match grade {
        1 => "st",
        2 => "nd",
        3 => "rd",
        _ => "th",
    };
    if grade == 0 {
        "Kindergarten".into()
    } else {
        format!("{grade}{suffix} grade")
    }
}

/// The plan form, as text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PlanForm {
    pub school_id: String,
    pub teacher: String,
    pub grade: String,
    pub students: String,
    pub instructor_id: String,
    pub request_id: String,
    pub first_date: String,
    pub start: String,
    pub minutes: String,
    pub lessons: String,
    pub skip: String,
}

/// One lesson as planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonPlan {
    pub position: u16,
    pub topic: String,
    pub date: Date,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub school_id: SchoolId,
    pub teacher: String,
    pub grade: u8,
    pub students: u32,
    pub instructor_id: StaffId,
    pub request_id: Option<RequestId>,
    pub lessons: Vec<LessonPlan>,
}

fn whole<T: std::str::FromStr>(raw: &str) -> Option<T> {
    raw.trim().parse().ok()
}

impl PlanForm {
    /// Checks the plan and lays out its lessons: weekly on the weekday of the first
    /// lesson, at the same local time (DST-correct), skipping the dates listed. Every
    /// problem at once.
    pub fn check(&self, tz: &TimeZone) -> Result<Plan, Vec<String>> {
        let mut problems = Vec::new();
        let school_id = whole::<SchoolId>(&self.school_id);
        if school_id.is_none() {
            problems.push("Choose the school.".to_string());
        }
        let teacher = self.teacher.trim().to_string();
        if teacher.is_empty() || teacher.chars().count() > 100 {
            problems.push("Name the classroom teacher (up to 100 characters).".into());
        }
        let grade = whole::<u8>(&self.grade).filter(|g| *g <= 12);
        if grade.is_none() {
            problems.push("Choose the grade.".into());
        }
        let students = whole::<u32>(&self.students).filter(|n| (1..=MAX_STUDENTS).contains(n));
        if students.is_none() {
            problems.push(format!("Enter the number of students, 1 to {MAX_STUDENTS}."));
        }
        let instructor_id = whole::<StaffId>(&self.instructor_id);
        if instructor_id.is_none() {
            problems.push("Choose the DARE instructor.".into());
        }
        let request_id = match self.request_id.trim().trim_start_matches('#') {
            "" => None,
            raw => {
                let id = raw.parse::<RequestId>().ok();
                if id.is_none() {
                    problems.push("A request number is digits only, e.g. 42.".into());
                }
                id
            }
        };
        let first = whole::<Date>(&self.first_date);
        if first.is_none() {
            problems.push("Enter the date of the first lesson as year-month-day.".into());
        }
        let start = whole::<Time>(&self.start);
        if start.is_none() {
            problems.push("Enter the time lessons start, e.g. 10:15.".into());
        }
        let minutes = whole::<i64>(&self.minutes).filter(|m| (20..=120).contains(m));
        if minutes.is_none() {
            problems.push("A lesson lasts 20 to 120 minutes.".into());
        }
        let count = whole::<u16>(&self.lessons).filter(|n| (1..=MAX_LESSONS).contains(n));
        if count.is_none() {
            problems.push(format!("A class has 1 to {MAX_LESSONS} lessons."));
        }
        let mut skip = Vec::new();
        for raw in self
            .skip
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            match raw.parse::<Date>() {
                Ok(d) => skip.push(d),
                Err(_) => problems.push(format!("\"{raw}\" is not a date; write dates to skip as 2027-03-16.")),
            }
        }
        let lessons = match (first, start, minutes, count) {
            (Some(first), Some(start), Some(minutes), Some(count)) => {
                match start.checked_add(SignedDuration::from_mins(minutes)) {
                    Ok(end) if end > start => {
                        match MeetingPattern::new(first.weekday(), first, start, end, count, skip) {
                            Ok(p) => p
                                .occurrences(tz)
                                .into_iter()
                                .zip(1..)
                                .map(|(o, position)| LessonPlan {
                                    position,
                                    topic: topic(position),
                                    date: o.date,
                                    starts_at: o.starts_at(),
                                    ends_at: o.ends_at(),
                                })
                                .collect(),
                            Err(e) => {
                                problems.push(format!("The lessons cannot be laid out: {e}."));
                                Vec::new()
                            }
                        }
                    }
                    _ => {
                        problems.push("A lesson must end before midnight.".into());
                        Vec::new()
                    }
                }
            }
            _ => Vec::new(),
        };
        match (school_id, grade, students, instructor_id, problems.is_empty()) {
            (Some(school_id), Some(grade), Some(students), Some(instructor_id), true) => Ok(Plan {
                school_id,
                teacher,
                grade,
                students,
                instructor_id,
                request_id,
                lessons,
            }),
            _ => Err(problems),
        }
    }
}

/// Why `assignments` (one officer's) do not let them teach on every one of `days`:
/// a DARE instructor must hold the duty on each lesson's day.
pub fn instructor_problem(assignments: &[Assignment], days: &[Date]) -> Option<String> {
    let holds = |day: Date| {
        assignments
            .iter()
            .any(|a| a.duty == Duty::DareInstructor && a.held_on(day))
    };
    if !days.iter().any(|d| holds(*d)) {
        return Some("Choose an officer who holds the DARE instructor duty on the lesson days.".into());
    }
    days.iter().find(|d| !holds(**d)).map(|d| {
        format!("The instructor does not hold the DARE instructor duty on {d}; choose another or change the dates.")
    })
}

/// A change to one lesson, as text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct LessonForm {
    pub status: String,
    pub present: String,
    pub date: String,
    pub start: String,
}

/// A checked change to one lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LessonChange {
    /// Taught, with how many students were there.
    Taught {
        present: u32,
    },
    Cancelled,
    /// Planned at a (new) time; the lesson keeps its length.
    Planned {
        starts_at: Timestamp,
        ends_at: Timestamp,
    },
}

impl LessonForm {
    /// Checks a lesson change for a class of `students`, whose lesson now runs from
    /// `starts_at` to `ends_at`. A lesson is recorded as taught only once it has started.
    pub fn check(
        &self,
        students: u32,
        starts_at: Timestamp,
        ends_at: Timestamp,
        now: Timestamp,
        tz: &TimeZone,
    ) -> Result<LessonChange, Vec<String>> {
        match LessonStatus::parse(self.status.trim()) {
            Some(LessonStatus::Taught) => {
                let present = whole::<u32>(&self.present).filter(|n| *n <= students);
                let mut problems = Vec::new();
                if present.is_none() {
                    problems.push(format!("Enter how many students were there, 0 to {students}."));
                }
                if now < starts_at {
                    problems.push("A lesson is recorded as taught once it has started.".into());
                }
                match present {
                    Some(present) if problems.is_empty() => Ok(LessonChange::Taught { present }),
                    _ => Err(problems),
                }
            }
            Some(LessonStatus::Cancelled) => Ok(LessonChange::Cancelled),
            Some(LessonStatus::Planned) => {
                let date = whole::<Date>(&self.date);
                let start = whole::<Time>(&self.start);
                let (Some(date), Some(start)) = (date, start) else {
                    return Err(vec!["Enter the lesson's date and start time.".into()]);
                };
                if !(super::schedule::FIRST_YEAR..=super::schedule::LAST_YEAR).contains(&date.year()) {
                    return Err(vec!["Enter a date in a year from 1970 to 2200.".into()]);
                }
                let at = tz
                    .to_ambiguous_zoned(date.to_datetime(start))
                    .compatible()
                    .map_err(|_| vec!["That time cannot be shown in the department's zone.".to_string()])?;
                let starts = at.timestamp();
                Ok(LessonChange::Planned {
                    starts_at: starts,
                    ends_at: starts + ends_at.duration_since(starts_at),
                })
            }
            None => Err(vec![
                "Choose whether the lesson was taught, is planned or is cancelled.".into(),
            ]),
        }
    }
}

/// One lesson as far as graduation cares: its status and its local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonDay {
    pub status: LessonStatus,
    pub day: Date,
}

/// Checks a graduation: every lesson taught or cancelled, at least one taught, the day
/// not before the last lesson taught nor after `today`, and no more graduates than
/// students. Returns the day and the count.
pub fn check_graduation(
    lessons: &[LessonDay],
    students: u32,
    graduates: &str,
    day: &str,
    today: Date,
) -> Result<(Date, u32), Vec<String>> {
    let mut problems = Vec::new();
    let still_planned = lessons.iter().filter(|l| l.status == LessonStatus::Planned).count();
    if still_planned > 0 {
        problems.push(format!(
            "{still_planned} lesson{} still planned: record each as taught or cancelled first.",
            if still_planned == 1 { " is" } else { "s are" }
        ));
    }
    let last_taught = lessons
        .iter()
        .filter(|l| l.status == LessonStatus::Taught)
        .map(|l| l.day)
        .max();
    if last_taught.is_none() {
        problems.push("A class graduates after at least one lesson was taught.".into());
    }
    let count = whole::<u32>(graduates).filter(|n| *n <= students);
    if count.is_none() {
        problems.push(format!("Enter how many students graduated, 0 to {students}."));
    }
    let day = whole::<Date>(day);
    match day {
        None => problems.push("Enter the graduation day as year-month-day.".into()),
        Some(d) if d > today => problems.push("The graduation day cannot be in the future.".into()),
        Some(d) if last_taught.is_some_and(|l| d < l) => {
            problems.push("The graduation day cannot be before the last lesson taught.".into())
        }
        Some(_) => {}
    }
    match (day, count, problems.is_empty()) {
        (Some(d), Some(n), true) => Ok((d, n)),
        _ => Err(problems),
    }
}

/// Most characters in one name on a certificate.
pub const MAX_NAME: usize = 80;

/// Reads the names typed for certificates, one per line, at most `graduates` of them.
/// Letters (any script), spaces, hyphens, apostrophes and periods only.
pub fn certificate_names(raw: &str, graduates: u32) -> Result<Vec<String>, Vec<String>> {
    let names: Vec<String> = raw
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    let mut problems = Vec::new();
    if names.is_empty() {
        problems.push("Type the graduates' names, one per line.".to_string());
    }
    if names.len() > graduates as usize {
        problems.push(format!(
            "{} names for {graduates} graduates: one certificate per graduate.",
            names.len()
        ));
    }
    for n in &names {
        if n.chars().count() > MAX_NAME {
            problems.push(format!(
                "Shorten \"{}…\" to {MAX_NAME} characters.",
                n.chars().take(20).collect::<String>()
            ));
        } else if !n
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'))
        {
            problems.push(format!(
                "\"{n}\": use letters, spaces, hyphens, apostrophes and periods only."
            ));
        }
    }
    if problems.is_empty() { Ok(names) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date as d;

    fn la() -> TimeZone {
        TimeZone::get("America/Los_Angeles").unwrap()
    }

    fn form() -> PlanForm {
        PlanForm {
            school_id: "4".into(),
            teacher: " Ms. Okafor ".into(),
            grade: "5".into(),
            students: "27".into(),
            instructor_id: "9".into(),
            request_id: "#12".into(),
            first_date: "2027-02-23".into(),
            start: "10:15".into(),
            minutes: "45".into(),
            lessons: "10".into(),
            skip: "2027-03-16, 2027-03-23".into(),
        }
    }

    #[test]
    fn lessons_run_weekly_in_local_time_across_the_clock_change() {
        let plan = form().check(&la()).unwrap();
        assert_eq!(plan.teacher, "Ms. Okafor");
        assert_eq!(plan.request_id, Some(RequestId::new(12)));
        assert_eq!(plan.lessons.len(), 10);
        let days: Vec<Date> = plan.lessons.iter().map(|l| l.date).collect();
        // Tuesdays from Feb 23, spring break skipped, ten lessons in all.
        assert_eq!(
            days[..4],
            [d(2027, 2, 23), d(2027, 3, 2), d(2027, 3, 9), d(2027, 3, 30)]
        );
        assert_eq!(days[9], d(2027, 5, 11));
        // 10:15 local before and after DST starts (March 14, 2027): 18:15 then 17:15 UTC.
        assert_eq!(plan.lessons[0].starts_at.to_string(), "2027-02-23T18:15:00Z");
        assert_eq!(plan.lessons[3].starts_at.to_string(), "2027-03-30T17:15:00Z");
        assert_eq!(
            plan.lessons[3].ends_at.duration_since(plan.lessons[3].starts_at),
            SignedDuration::from_mins(45)
        );
        assert_eq!(plan.lessons[0].topic, CURRICULUM[0]);
        assert_eq!(plan.lessons[9].position, 10);
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let bad = PlanForm {
            school_id: "".into(),
            teacher: "".into(),
            grade: "13".into(),
            students: "0".into(),
            instructor_id: "x".into(),
            request_id: "twelve".into(),
            first_date: "next week".into(),
            start: "25:00".into(),
            minutes: "5".into(),
            lessons: "40".into(),
            skip: "spring break".into(),
        };
        let problems = bad.check(&la()).unwrap_err();
        assert_eq!(problems.len(), 12, "{problems:?}");
        let late = PlanForm {
            start: "23:30".into(),
            minutes: "45".into(),
            ..form()
        };
        assert_eq!(late.check(&la()).unwrap_err(), ["A lesson must end before midnight."]);
        let far = PlanForm {
            first_date: "9999-01-05".into(),
            ..form()
        };
        assert!(far.check(&la()).unwrap_err()[0].starts_with("The lessons cannot be laid out"));
    }

    #[test]
    fn more_lessons_than_the_course_are_numbered() {
        assert_eq!(topic(1), CURRICULUM[0]);
        assert_eq!(topic(10), CURRICULUM[9]);
        assert_eq!(topic(11), "Lesson 11");
        assert_eq!(grade_label(0), "Kindergarten");
        assert_eq!(grade_label(2), "2nd grade");
        assert_eq!(grade_label(5), "5th grade");
        assert_eq!(grade_label(11), "11th grade");
    }

    #[test]
    fn the_instructor_holds_the_duty_on_every_lesson_day() {
        let dare = Assignment {
            duty: Duty::DareInstructor,
            assignment: None,
            starts_on: d(2026, 8, 1),
            ends_on: Some(d(2027, 3, 31)),
            certified_on: Some(d(2026, 6, 1)),
        };
        let sro = Assignment {
            duty: Duty::SchoolResourceOfficer,
            assignment: Some("Harbor Point High School".into()),
            starts_on: d(2020, 1, 1),
            ends_on: None,
            certified_on: None,
        };
        let days = [d(2027, 3, 9), d(2027, 3, 30), d(2027, 4, 6)];
        assert_eq!(instructor_problem(std::slice::from_ref(&dare), &days[..1]), None);
        assert!(
            instructor_problem(std::slice::from_ref(&dare), &days)
                .unwrap()
                .contains("2027-04-06")
        );
        assert!(
            instructor_problem(std::slice::from_ref(&sro), &days)
                .unwrap()
                .starts_with("Choose an officer")
        );
        let renewed = Assignment {
            starts_on: d(2027, 4, 7),
            ends_on: None,
            ..dare.clone()
        };
        // Renewed a day after the lesson of April 6: that lesson is uncovered.
        assert!(
            instructor_problem(&[dare.clone(), renewed.clone()], &days)
                .unwrap()
                .contains("2027-04-06")
        );
        let continuous = Assignment {
            starts_on: d(2027, 4, 1),
            ..renewed
        };
        assert_eq!(instructor_problem(&[dare, continuous, sro], &days), None);
    }

    #[test]
    fn lessons_are_taught_cancelled_or_moved() {
        let tz = la();
        let start: Timestamp = "2027-03-09T18:15:00Z".parse().unwrap();
        let end = start + SignedDuration::from_mins(45);
        let after = start + SignedDuration::from_hours(2);
        let taught = |present: &str, now| {
            LessonForm {
                status: "taught".into(),
                present: present.into(),
                ..Default::default()
            }
            .check(27, start, end, now, &tz)
        };
        assert_eq!(taught("25", after), Ok(LessonChange::Taught { present: 25 }));
        assert_eq!(taught("28", after).unwrap_err().len(), 1);
        assert_eq!(
            taught("25", start - SignedDuration::from_hours(1)).unwrap_err().len(),
            1
        );
        let moved = LessonForm {
            status: "planned".into(),
            date: "2027-03-11".into(),
            start: "13:00".into(),
            ..Default::default()
        }
        .check(27, start, end, after, &tz)
        .unwrap();
        assert_eq!(
            moved,
            LessonChange::Planned {
                starts_at: "2027-03-11T21:00:00Z".parse().unwrap(),
                ends_at: "2027-03-11T21:45:00Z".parse().unwrap(),
            }
        );
        let cancelled = LessonForm {
            status: "cancelled".into(),
            ..Default::default()
        };
        assert_eq!(cancelled.check(27, start, end, after, &tz), Ok(LessonChange::Cancelled));
        assert!(LessonForm::default().check(27, start, end, after, &tz).is_err());
    }

    #[test]
    fn graduation_follows_the_last_lesson() {
        let l = |status, day| LessonDay { status, day };
        let lessons = [
            l(LessonStatus::Taught, d(2027, 3, 2)),
            l(LessonStatus::Cancelled, d(2027, 3, 9)),
            l(LessonStatus::Taught, d(2027, 3, 30)),
        ];
        let today = d(2027, 4, 2);
        assert_eq!(
            check_graduation(&lessons, 27, "26", "2027-03-30", today),
            Ok((d(2027, 3, 30), 26))
        );
        assert_eq!(
            check_graduation(&lessons, 27, "28", "2027-03-30", today)
                .unwrap_err()
                .len(),
            1
        );
        assert_eq!(
            check_graduation(&lessons, 27, "20", "2027-03-29", today)
                .unwrap_err()
                .len(),
            1
        );
        assert_eq!(
            check_graduation(&lessons, 27, "20", "2027-04-03", today)
                .unwrap_err()
                .len(),
            1
        );
        let open = [
            lessons[0],
            l(LessonStatus::Planned, d(2027, 4, 6)),
            l(LessonStatus::Planned, d(2027, 4, 13)),
        ];
        let problems = check_graduation(&open, 27, "20", "2027-04-02", today).unwrap_err();
        assert_eq!(
            problems,
            ["2 lessons are still planned: record each as taught or cancelled first."]
        );
        let none_taught = [l(LessonStatus::Cancelled, d(2027, 3, 2))];
        assert_eq!(
            check_graduation(&none_taught, 27, "0", "2027-04-02", today)
                .unwrap_err()
                .len(),
            1
        );
    }

    #[test]
    fn certificate_names_are_checked_and_never_outnumber_graduates() {
        assert_eq!(
            certificate_names("  Amara  Okafor \n\nJosé Núñez-Ruiz\nD'Andre O’Neal Jr.\n", 3),
            Ok(vec![
                "Amara Okafor".into(),
                "José Núñez-Ruiz".into(),
                "D'Andre O’Neal Jr.".into()
            ])
        );
        assert_eq!(certificate_names("A\nB\nC", 2).unwrap_err().len(), 1);
        assert_eq!(certificate_names("   \n", 2).unwrap_err().len(), 1);
        assert_eq!(certificate_names("<script>", 2).unwrap_err().len(), 1);
        assert_eq!(certificate_names(&"a".repeat(81), 2).unwrap_err().len(), 1);
        assert_eq!(certificate_names("Zoë 2", 2).unwrap_err().len(), 1);
    }
}
