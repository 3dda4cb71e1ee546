//! The department's holidays: days without classes, which meeting patterns and copied
//! classes skip. Stored as data so each department keeps its own (a city may close on
//! César Chávez Day or the day after Thanksgiving); the usual US federal holidays can be
//! added for a year in one step, computed here.

use jiff::civil::{Date, Weekday};

/// A holiday as the department keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Holiday {
    /// `YYYY-MM-DD`, the local date.
    #[schema(value_type = String)]
    pub date: Date,
    pub name: String,
}

/// Longest holiday name.
pub const MAX_NAME: usize = 100;

/// Checks a holiday as typed: a date in the planner's years and a name of 1 to 100
/// characters. Every problem is listed.
pub fn parse(date: &str, name: &str) -> Result<Holiday, Vec<String>> {
    let mut problems = Vec::new();
    let date = date.trim().parse::<Date>().ok();
    match date {
        None => problems.push("Enter the date as YYYY-MM-DD.".to_string()),
        Some(d) if !(super::schedule::FIRST_YEAR..=super::schedule::LAST_YEAR).contains(&d.year()) => {
            problems.push(format!(
                "Enter a date in a year from {} to {}.",
                super::schedule::FIRST_YEAR,
                super::schedule::LAST_YEAR
            ))
        }
        Some(_) => {}
    }
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_NAME {
        problems.push(format!("Give the holiday a name of 1 to {MAX_NAME} characters."));
    }
    match date {
        Some(date) if problems.is_empty() => Ok(Holiday { date, name }),
        _ => Err(problems),
    }
}

/// The day a fixed-date federal holiday is observed: a Saturday's on the Friday before, a
/// Sunday's on the Monday after (5 U.S.C. 6103), which is when offices close.
fn observed(d: Date) -> Date {
    match d.weekday() {
        Weekday::Saturday => d.yesterday().unwrap_or(d),
        Weekday::Sunday => d.tomorrow().unwrap_or(d),
        _ => d,
    }
}

/// The eleven US federal holidays of `year`, on the days they are observed, in date
/// order (New Year's Day on a Saturday is observed on December 31 of the year before).
/// Empty for a year outside the planner's range.
pub fn us_federal(year: i16) -> Vec<Holiday> {
    if !(super::schedule::FIRST_YEAR..=super::schedule::LAST_YEAR).contains(&year) {
        return Vec::new();
    }
    let fixed = |m: i8, d: i8| Date::new(year, m, d).ok().map(observed);
    let nth = |m: i8, n: i8, w: Weekday| {
        Date::new(year, m, 1)
            .ok()
            .and_then(|d| d.nth_weekday_of_month(n, w).ok())
    };
    let days = [
        (fixed(1, 1), "New Year's Day"),
        (nth(1, 3, Weekday::Monday), "Birthday of Martin Luther King, Jr."),
        (nth(2, 3, Weekday::Monday), "Washington's Birthday"),
        (nth(5, -1, Weekday::Monday), "Memorial Day"),
        (fixed(6, 19), "Juneteenth National Independence Day"),
        (fixed(7, 4), "Independence Day"),
        (nth(9, 1, Weekday::Monday), "Labor Day"),
        (nth(10, 2, Weekday::Monday), "Columbus Day"),
        (fixed(11, 11), "Veterans Day"),
        (nth(11, 4, Weekday::Thursday), "Thanksgiving Day"),
        (fixed(12, 25), "Christmas Day"),
    ];
    days.into_iter()
        .filter_map(|(d, name)| {
            d.map(|date| Holiday {
                date,
                name: name.to_string(),
            })
        })
        .collect()
}

/// The holidays a run of sessions passed over: within the sessions' first and last
/// dates, on a weekday the class meets, with no session that day. This is what the class
/// page tells a coordinator ("no session on Thanksgiving Day").
pub fn skipped<'a>(session_dates: &[Date], holidays: &'a [Holiday]) -> Vec<&'a Holiday> {
    let (Some(first), Some(last)) = (session_dates.iter().min(), session_dates.iter().max()) else {
        return Vec::new();
    };
    holidays
        .iter()
        .filter(|h| {
            h.date >= *first
                && h.date <= *last
                && session_dates.iter().any(|d| d.weekday() == h.date.weekday())
                && !session_dates.contains(&h.date)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn federal_holidays_fall_on_their_days() {
        let h = us_federal(2026);
        let dates: Vec<String> = h.iter().map(|h| h.date.to_string()).collect();
        assert_eq!(
            dates,
            [
                "2026-01-01",
                "2026-01-19",
                "2026-02-16",
                "2026-05-25",
                "2026-06-19",
                "2026-07-03", // July 4th is a Saturday: observed on Friday
                "2026-09-07",
                "2026-10-12",
                "2026-11-11",
                "2026-11-26",
                "2026-12-25",
            ]
        );
        assert_eq!(h[9].name, "Thanksgiving Day");
    }

    #[test]
    fn a_sunday_holiday_is_observed_on_monday() {
        // New Year's Day 2023 was a Sunday; Christmas 2022 too.
        assert_eq!(us_federal(2023)[0].date, date(2023, 1, 2));
        assert_eq!(us_federal(2022).last().unwrap().date, date(2022, 12, 26));
        assert!(us_federal(1800).is_empty());
    }

    #[test]
    fn holidays_are_checked_as_typed() {
        assert_eq!(
            parse(" 2026-11-27 ", "  Day after   Thanksgiving "),
            Ok(Holiday {
                date: date(2026, 11, 27),
                name: "Day after Thanksgiving".into()
            })
        );
        assert_eq!(parse("11/27/2026", "").unwrap_err().len(), 2);
        assert_eq!(parse("0202-11-27", "x").unwrap_err().len(), 1);
        assert_eq!(parse("2026-11-27", &"x".repeat(101)).unwrap_err().len(), 1);
    }

    #[test]
    fn only_holidays_the_class_passed_over_are_skipped() {
        let thursdays = [date(2026, 11, 19), date(2026, 12, 3)];
        let holidays = us_federal(2026);
        let names: Vec<&str> = skipped(&thursdays, &holidays).iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            names,
            ["Thanksgiving Day"],
            "Veterans Day is before, Christmas after, neither a Thursday"
        );
        assert!(skipped(&[], &holidays).is_empty());
        // A session held on the holiday anyway: not skipped.
        assert!(skipped(&[date(2026, 11, 26)], &holidays).is_empty());
    }
}
