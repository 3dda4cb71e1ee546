//! Community-engagement figures for a period (council and grant progress reports):
//! hours and people reached per officer, per duty, per school and per month, from the
//! activity log, DARE lessons, training given and traffic operations.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::activity::hours;

/// One piece of engagement work, whatever logged it.
#[derive(Debug, Clone)]
pub struct Work {
    pub officer: String,
    /// The duty label it counts under ("School resource officer", "Training given", ...).
    pub duty: String,
    /// Where, for work at a school or college.
    pub school: Option<String>,
    pub day: Date,
    pub minutes: u32,
    pub people: u32,
}

/// A row of figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Line {
    pub name: String,
    pub entries: u32,
    pub hours: f64,
    pub people_reached: u32,
}

/// DARE in classrooms during the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DareFigures {
    pub lessons_taught: u32,
    pub classes_graduated: u32,
    pub graduates: u32,
}

/// The period's figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Engagement {
    pub from: String,
    pub to: String,
    pub total: Line,
    /// DARE lessons taught and classes graduated (their hours are in the lines too).
    pub dare: DareFigures,
    pub by_officer: Vec<Line>,
    pub by_duty: Vec<Line>,
    pub by_school: Vec<Line>,
    /// `YYYY-MM`, oldest first.
    pub by_month: Vec<Line>,
}

/// The duty a presented class session counts under in the engagement report.
pub fn teaching_duty(kind: crate::domain::ProgramKind) -> &'static str {
    use crate::domain::ProgramKind::*;
    match kind {
        NeighborhoodWatch => "Neighborhood Watch meetings",
        CitizenAcademy | TeenAcademy => "Academy teaching",
        Dare | ResourceOfficer | TrafficEnforcement => "Program sessions",
    }
}

fn lines<'a>(work: &'a [Work], key: impl Fn(&'a Work) -> Option<String>) -> Vec<Line> {
    let mut groups: BTreeMap<String, (u32, u64, u32)> = BTreeMap::new();
    for w in work {
        if let Some(k) = key(w) {
            let g = groups.entry(k).or_default();
            g.0 += 1;
            g.1 += u64::from(w.minutes);
            g.2 += w.people;
        }
    }
    groups
        .into_iter()
        .map(|(name, (entries, minutes, people))| Line {
            name,
            entries,
            hours: hours(minutes),
            people_reached: people,
        })
        .collect()
}

/// Sums work done from `from` to `to` (inclusive). Officers, duties and schools are
/// ordered by name; months by date.
pub fn summarize(work: &[Work], from: Date, to: Date) -> Engagement {
    let within: Vec<Work> = work.iter().filter(|w| from <= w.day && w.day <= to).cloned().collect();
    let total = Line {
        name: "All".into(),
        entries: within.len() as u32,
        hours: hours(within.iter().map(|w| u64::from(w.minutes)).sum()),
        people_reached: within.iter().map(|w| w.people).sum(),
    };
    Engagement {
        from: from.to_string(),
        to: to.to_string(),
        by_officer: lines(&within, |w| Some(w.officer.clone())),
        by_duty: lines(&within, |w| Some(w.duty.clone())),
        by_school: lines(&within, |w| w.school.clone()),
        by_month: lines(&within, |w| Some(format!("{:04}-{:02}", w.day.year(), w.day.month()))),
        total,
        dare: DareFigures::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn work_is_summed_every_way() {
        let w = |officer: &str, duty: &str, school: Option<&str>, day: Date, minutes, people| Work {
            officer: officer.into(),
            duty: duty.into(),
            school: school.map(Into::into),
            day,
            minutes,
            people,
        };
        let work = [
            w(
                "Brandt",
                "School resource officer",
                Some("Harbor High"),
                date(2026, 10, 6),
                50,
                30,
            ),
            w(
                "Brandt",
                "School resource officer",
                Some("Harbor High"),
                date(2026, 11, 2),
                40,
                2,
            ),
            w(
                "Nakamura",
                "College resource officer",
                Some("Bayside College"),
                date(2026, 11, 3),
                90,
                120,
            ),
            w("Harlow", "Traffic operations", None, date(2026, 11, 13), 120, 12),
            w("Brandt", "Training given", None, date(2026, 11, 20), 90, 2),
            w(
                "Brandt",
                "School resource officer",
                Some("Harbor High"),
                date(2026, 12, 1),
                30,
                5,
            ),
        ];
        let e = summarize(&work, date(2026, 10, 1), date(2026, 11, 30));
        assert_eq!(
            e.total,
            Line {
                name: "All".into(),
                entries: 5,
                hours: 6.5,
                people_reached: 166
            }
        );
        assert_eq!(
            e.by_officer,
            [
                Line {
                    name: "Brandt".into(),
                    entries: 3,
                    hours: 3.0,
                    people_reached: 34
                },
                Line {
                    name: "Harlow".into(),
                    entries: 1,
                    hours: 2.0,
                    people_reached: 12
                },
                Line {
                    name: "Nakamura".into(),
                    entries: 1,
                    hours: 1.5,
                    people_reached: 120
                },
            ]
        );
        assert_eq!(e.by_duty.len(), 4);
        assert_eq!(
            e.by_school
                .iter()
                .map(|l| (l.name.as_str(), l.entries))
                .collect::<Vec<_>>(),
            [("Bayside College", 1), ("Harbor High", 2)]
        );
        assert_eq!(
            e.by_month
                .iter()
                .map(|l| (l.name.as_str(), l.hours))
                .collect::<Vec<_>>(),
            [("2026-10", 0.8), ("2026-11", 5.7)]
        );
    }
}
