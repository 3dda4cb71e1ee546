//! Who holds which community duty, and when: checking a new assignment and answering
//! "who held this duty on that day".

use jiff::civil::Date;
use serde::Serialize;

use super::program::{Duty, ProgramKind};

/// An assignment as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub duty: Duty,
    /// The school, college or area served, where the duty has one.
    pub assignment: Option<String>,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub certified_on: Option<Date>,
}

impl Assignment {
    /// Whether the duty was held on `day` (both ends inclusive).
    pub fn held_on(&self, day: Date) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }
}

/// How pages name an officer: "Officer Luis Castellanos", or the name alone.
pub fn ranked_name(rank: Option<&str>, name: &str) -> String {
    match rank {
        Some(rank) => format!("{rank} {name}"),
        None => name.to_string(),
    }
}

/// The duties whose holders serve a program of this kind, shown on its public page.
pub fn serving(kind: ProgramKind) -> &'static [Duty] {
    match kind {
        ProgramKind::Dare => &[Duty::DareInstructor],
        ProgramKind::ResourceOfficer => &[Duty::SchoolResourceOfficer, Duty::CollegeResourceOfficer],
        ProgramKind::TrafficEnforcement => &[Duty::Traffic],
        _ => &[],
    }
}

/// The assignment form, as text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AssignmentForm {
    pub staff_id: String,
    pub duty: String,
    pub assignment: String,
    pub starts_on: String,
    pub ends_on: String,
    pub certified_on: String,
}

fn date(raw: &str) -> Result<Option<Date>, ()> {
    match raw.trim() {
        "" => Ok(None),
        s => s.parse().map(Some).map_err(|_| ()),
    }
}

impl AssignmentForm {
    /// Checks a new assignment; every problem at once. Resource officers name their
    /// school or college; DARE instructors need a certification on or before the start.
    pub fn check(&self) -> Result<(i64, Assignment), Vec<String>> {
        let mut problems = Vec::new();
        let staff = self.staff_id.trim().parse::<i64>().ok();
        if staff.is_none() {
            problems.push("Choose the officer.".to_string());
        }
        let duty = Duty::parse(self.duty.trim());
        if duty.is_none() {
            problems.push("Choose the duty.".to_string());
        }
        let bad = |what: &str| format!("Enter the {what} as year-month-day, e.g. 2026-08-17.");
        let starts_on = date(&self.starts_on).unwrap_or_else(|()| {
            problems.push(bad("start date"));
            None
        });
        if self.starts_on.trim().is_empty() {
            problems.push("Enter the day the duty starts.".into());
        }
        let ends_on = date(&self.ends_on).unwrap_or_else(|()| {
            problems.push(bad("end date"));
            None
        });
        let certified_on = date(&self.certified_on).unwrap_or_else(|()| {
            problems.push(bad("certification date"));
            None
        });
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            problems.push("The duty cannot end before it starts.".into());
        }
        let assignment = Some(self.assignment.trim().to_string()).filter(|a| !a.is_empty());
        if assignment.as_ref().is_some_and(|a| a.chars().count() > 120) {
            problems.push("Keep the place under 120 characters.".into());
        }
        match duty {
            Some(Duty::SchoolResourceOfficer | Duty::CollegeResourceOfficer) if assignment.is_none() => {
                problems.push("Name the school or college the officer serves.".into())
            }
            Some(Duty::DareInstructor) => match (certified_on, starts_on) {
                (None, _) => problems.push("Enter the date of the DARE instructor certification.".into()),
                (Some(c), Some(s)) if c > s => {
                    problems.push("A DARE instructor is certified before teaching: check the dates.".into())
                }
                _ => {}
            },
            _ => {}
        }
        match (staff, duty, starts_on, problems.is_empty()) {
            (Some(staff), Some(duty), Some(starts_on), true) => Ok((
                staff,
                Assignment {
                    duty,
                    assignment,
                    starts_on,
                    ends_on,
                    certified_on: certified_on.filter(|_| duty == Duty::DareInstructor),
                },
            )),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date as d;

    #[test]
    fn a_duty_is_held_between_its_dates() {
        let a = Assignment {
            duty: Duty::SchoolResourceOfficer,
            assignment: Some("Bayside High School".into()),
            starts_on: d(2025, 8, 18),
            ends_on: Some(d(2026, 6, 12)),
            certified_on: None,
        };
        assert!(!a.held_on(d(2025, 8, 17)));
        assert!(a.held_on(d(2025, 8, 18)));
        assert!(a.held_on(d(2026, 6, 12)));
        assert!(!a.held_on(d(2026, 6, 13)));
        let open = Assignment { ends_on: None, ..a };
        assert!(open.held_on(d(2030, 1, 1)));
    }

    #[test]
    fn assignments_are_checked() {
        let form = |duty: &str, assignment: &str, certified: &str, ends: &str| AssignmentForm {
            staff_id: "7".into(),
            duty: duty.into(),
            assignment: assignment.into(),
            starts_on: "2026-08-17".into(),
            ends_on: ends.into(),
            certified_on: certified.into(),
        };
        let (staff, a) = form("dare_instructor", "", "2026-06-01", "").check().unwrap();
        assert_eq!((staff, a.certified_on), (7, Some(d(2026, 6, 1))));
        assert_eq!(
            form("dare_instructor", "", "", "").check().unwrap_err(),
            ["Enter the date of the DARE instructor certification."]
        );
        assert_eq!(
            form("dare_instructor", "", "2026-09-01", "").check().unwrap_err(),
            ["A DARE instructor is certified before teaching: check the dates."]
        );
        assert_eq!(
            form("school_resource_officer", "", "", "2026-01-01")
                .check()
                .unwrap_err(),
            [
                "The duty cannot end before it starts.",
                "Name the school or college the officer serves."
            ]
        );
        let (_, traffic) = form("traffic", "", "2026-06-01", "").check().unwrap();
        assert_eq!(traffic.certified_on, None, "only DARE keeps a certification");
        assert_eq!(form("swat", "", "", "").check().unwrap_err(), ["Choose the duty."]);
    }
}
