//! Program statistics by year: classes completed, graduates, applications against seats,
//! attendance rate. Pure aggregation over per-class facts the store reads.

use serde::Serialize;

/// What the store knows about one class.
#[derive(Debug, Clone)]
pub struct ClassFacts {
    /// Local calendar year of the first session (None: not scheduled).
    pub year: Option<i16>,
    pub completed: bool,
    pub capacity: i64,
    pub graduates: i64,
    pub applications: i64,
    pub marks: i64,
    pub present: i64,
}

/// One year's figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct YearFigures {
    pub year: i16,
    pub classes: i64,
    pub classes_completed: i64,
    pub graduates: i64,
    pub seats: i64,
    pub applications: i64,
    /// Present or late, out of all marks recorded; `None` before any attendance.
    pub attendance_rate: Option<f64>,
}

/// Sums classes into years, oldest first; unscheduled classes are left out.
pub fn by_year(classes: &[ClassFacts]) -> Vec<YearFigures> {
    let mut years: std::collections::BTreeMap<i16, (YearFigures, i64, i64)> = Default::default();
    for c in classes {
        let Some(year) = c.year else { continue };
        let (f, marks, present) = years.entry(year).or_insert_with(|| {
            (
                YearFigures {
                    year,
                    classes: 0,
                    classes_completed: 0,
                    graduates: 0,
                    seats: 0,
                    applications: 0,
                    attendance_rate: None,
                },
                0,
                0,
            )
        });
        f.classes += 1;
        f.classes_completed += i64::from(c.completed);
        f.graduates += c.graduates;
        f.seats += c.capacity;
        f.applications += c.applications;
        *marks += c.marks;
        *present += c.present;
    }
    years
        .into_values()
        .map(|(mut f, marks, present)| {
            f.attendance_rate = (marks > 0).then(|| present as f64 / marks as f64);
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(year: i16, completed: bool, graduates: i64, marks: i64, present: i64) -> ClassFacts {
        ClassFacts {
            year: Some(year),
            completed,
            capacity: 30,
            graduates,
            applications: 45,
            marks,
            present,
        }
    }

    #[test]
    fn classes_sum_into_years() {
        let figures = by_year(&[
            class(2026, true, 27, 360, 330),
            class(2026, false, 0, 0, 0),
            class(2025, true, 25, 100, 90),
            ClassFacts {
                year: None,
                completed: false,
                capacity: 10,
                graduates: 0,
                applications: 0,
                marks: 0,
                present: 0,
            },
        ]);
        assert_eq!(figures.len(), 2);
        assert_eq!(figures[0].year, 2025);
        let y = &figures[1];
        assert_eq!(
            (y.classes, y.classes_completed, y.graduates, y.seats, y.applications),
            (2, 1, 27, 60, 90)
        );
        assert!((y.attendance_rate.unwrap() - 330.0 / 360.0).abs() < 1e-9);
        assert_eq!(by_year(&[class(2027, false, 0, 0, 0)])[0].attendance_rate, None);
    }
}
