//! Selective traffic enforcement: an operation's place, window and reason, and its
//! results (stops, warnings, citations, observed speeds summed into counts and
//! percentiles, the 85th being what traffic engineers set limits by).

use serde::Serialize;

use super::ids::{RequestId, StaffId};
use super::program::coded_enum;

coded_enum! {
    /// Why an operation was run.
    OperationReason {
        ResidentRequest = "resident_request" / "A resident's request",
        CrashHistory = "crash_history" / "Crash history",
        SchoolZone = "school_zone" / "School zone",
    }
}

/// Most speed readings one operation records.
pub const MAX_READINGS: usize = 5000;

/// Reads observed speeds written as numbers separated by commas, spaces or new lines,
/// with `NxM` for M readings of N ("35x4"). Every reading must be 1 to 150 mph.
pub fn parse_speeds(raw: &str) -> Result<Vec<u16>, String> {
    let mut out = Vec::new();
    for token in raw
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let (speed, times) = match token.split_once(['x', 'X', '×']) {
            Some((s, n)) => (s, n),
            None => (token, "1"),
        };
        let speed: u16 = speed
            .parse()
            .ok()
            .filter(|s| (1..=150).contains(s))
            .ok_or_else(|| format!("\"{token}\" is not a speed from 1 to 150 mph."))?;
        let times: usize = times
            .parse()
            .ok()
            .filter(|n| (1..=MAX_READINGS).contains(n))
            .ok_or_else(|| format!("\"{token}\": write a count after x, e.g. 35x4."))?;
        out.extend(std::iter::repeat_n(speed, times));
        if out.len() > MAX_READINGS {
            return Err(format!("Record at most {MAX_READINGS} readings."));
        }
    }
    Ok(out)
}

/// The nearest-rank percentile `p` (1 to 100) of sorted readings.
pub fn percentile(sorted: &[u16], p: u32) -> Option<u16> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank).ok()? - 1).copied()
}

/// What the speed readings of an operation say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpeedSummary {
    pub readings: usize,
    pub over_limit: usize,
    /// Readings 10 mph or more over the limit.
    pub over_by_ten: usize,
    pub median: Option<u16>,
    pub p85: Option<u16>,
    pub max: Option<u16>,
}

/// Sums readings against the posted limit.
pub fn speed_summary(readings: &[u16], limit: u16) -> SpeedSummary {
    let mut sorted = readings.to_vec();
    sorted.sort_unstable();
    SpeedSummary {
        readings: sorted.len(),
        over_limit: sorted.iter().filter(|s| **s > limit).count(),
        over_by_ten: sorted.iter().filter(|s| **s >= limit.saturating_add(10)).count(),
        median: percentile(&sorted, 50),
        p85: percentile(&sorted, 85),
        max: sorted.last().copied(),
    }
}

/// The plan form, as text; `officers` repeats.
#[derive(Debug, Clone, Default)]
pub struct PlanForm {
    pub place: String,
    pub reason: String,
    pub request_id: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub speed_limit: String,
    pub officers: Vec<String>,
}

/// A checked plan: times in the department's zone become instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub place: String,
    pub reason: OperationReason,
    pub request_id: Option<RequestId>,
    pub starts_at: jiff::Timestamp,
    pub ends_at: jiff::Timestamp,
    pub speed_limit: u16,
    pub officers: Vec<StaffId>,
}

impl PlanForm {
    /// Checks the plan; every problem at once. A window ending before it starts is
    /// taken to run past midnight (a night operation), up to 12 hours.
    pub fn check(&self, tz: &jiff::tz::TimeZone) -> Result<Plan, Vec<String>> {
        let mut problems = Vec::new();
        let place = self.place.trim().to_string();
        if place.is_empty() || place.chars().count() > 200 {
            problems.push("Name the street segment or intersection (up to 200 characters).".to_string());
        }
        let reason = OperationReason::parse(self.reason.trim());
        if reason.is_none() {
            problems.push("Choose why the operation is run.".into());
        }
        let request_id = match self.request_id.trim().trim_start_matches('#') {
            "" => None,
            raw => match raw.parse::<RequestId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    problems.push("A request number is digits only, e.g. 42.".into());
                    None
                }
            },
        };
        if reason == Some(OperationReason::ResidentRequest) && request_id.is_none() && problems.is_empty() {
            problems.push("Give the number of the resident's request.".into());
        }
        let date = self.date.trim().parse::<jiff::civil::Date>().ok();
        if date.is_none() {
            problems.push("Enter the date as year-month-day.".into());
        }
        let time = |raw: &str| raw.trim().parse::<jiff::civil::Time>().ok();
        let (start, end) = (time(&self.start), time(&self.end));
        if start.is_none() || end.is_none() {
            problems.push("Enter the start and end times, e.g. 07:00 and 09:00.".into());
        }
        let speed_limit = self
            .speed_limit
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|l| (5..=85).contains(l));
        if speed_limit.is_none() {
            problems.push("Enter the posted speed limit, from 5 to 85 mph.".into());
        }
        let mut officers = Vec::new();
        for o in &self.officers {
            match o.trim().parse::<StaffId>() {
                Ok(id) if !officers.contains(&id) => officers.push(id),
                Ok(_) => {}
                Err(_) => problems.push("Choose officers from the list.".into()),
            }
        }
        if officers.is_empty() {
            problems.push("Choose at least one officer.".into());
        }
        let window = match (date, start, end) {
            (Some(d), Some(s), Some(e)) => {
                let at = |t| d.to_datetime(t).to_zoned(tz.clone()).map(|z| z.timestamp());
                match (at(s), at(e)) {
                    (Ok(a), Ok(b)) => {
                        let b = if b <= a {
                            b + jiff::SignedDuration::from_hours(24)
                        } else {
                            b
                        };
                        if b.duration_since(a) > jiff::SignedDuration::from_hours(12) {
                            problems.push("An operation lasts at most 12 hours.".into());
                            None
                        } else {
                            Some((a, b))
                        }
                    }
                    _ => {
                        problems.push("That time does not exist on that day (a clock change).".into());
                        None
                    }
                }
            }
            _ => None,
        };
        match (reason, window, speed_limit, problems.is_empty()) {
            (Some(reason), Some((starts_at, ends_at)), Some(speed_limit), true) => Ok(Plan {
                place,
                reason,
                request_id,
                starts_at,
                ends_at,
                speed_limit,
                officers,
            }),
            _ => Err(problems),
        }
    }
}

/// Checks recorded results: each warning or citation follows a stop.
pub fn check_results(stops: &str, warnings: &str, citations: &str) -> Result<(u32, u32, u32), Vec<String>> {
    let mut problems = Vec::new();
    let mut count = |raw: &str, what: &str| {
        raw.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= 10_000)
            .unwrap_or_else(|| {
                problems.push(format!("Enter the number of {what} (0 or more)."));
                0
            })
    };
    let (s, w, c) = (
        count(stops, "stops"),
        count(warnings, "warnings"),
        count(citations, "citations"),
    );
    if problems.is_empty() && w + c > s {
        problems.push("Warnings and citations together cannot outnumber the stops.".into());
    }
    if problems.is_empty() {
        Ok((s, w, c))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_checked_in_local_time() {
        let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        let form = PlanForm {
            place: "Ocean Avenue between 3rd and 5th".into(),
            reason: "resident_request".into(),
            request_id: "#42".into(),
            date: "2026-11-13".into(),
            start: "22:00".into(),
            end: "01:30".into(),
            speed_limit: "25".into(),
            officers: vec!["3".into(), "3".into(), "9".into()],
        };
        let plan = form.check(&tz).unwrap();
        assert_eq!(plan.request_id, Some(RequestId::new(42)));
        assert_eq!(plan.officers, [StaffId::new(3), StaffId::new(9)]);
        assert_eq!(plan.starts_at.to_string(), "2026-11-14T06:00:00Z");
        assert_eq!(
            plan.ends_at.duration_since(plan.starts_at),
            jiff::SignedDuration::from_mins(210)
        );
        let bad = PlanForm {
            reason: "resident_request".into(),
            speed_limit: "200".into(),
            ..Default::default()
        };
        let problems = bad.check(&tz).unwrap_err();
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert_eq!(
            check_results("10", "6", "5"),
            Err(vec![
                "Warnings and citations together cannot outnumber the stops.".into()
            ])
        );
        assert_eq!(check_results("10", "6", "4"), Ok((10, 6, 4)));
    }

    #[test]
    fn speeds_are_read_with_counts() {
        assert_eq!(parse_speeds("31, 34 29\n35x3").unwrap(), [31, 34, 29, 35, 35, 35]);
        assert!(parse_speeds("31, fast").unwrap_err().contains("\"fast\""));
        assert!(parse_speeds("0").is_err() && parse_speeds("35x0").is_err());
        assert_eq!(parse_speeds("").unwrap(), Vec::<u16>::new());
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        // Twenty readings on a 25 mph street, worked by hand: sorted
        // 22 23 24 25 25 26 27 28 28 29 30 30 31 32 33 34 35 36 38 41.
        let readings = [
            30, 22, 41, 25, 28, 33, 24, 36, 29, 31, 27, 25, 35, 23, 38, 30, 26, 34, 28, 32,
        ];
        let s = speed_summary(&readings, 25);
        // Median: rank ceil(0.5 * 20) = 10th = 29. 85th: rank ceil(0.85 * 20) = 17th = 35.
        assert_eq!((s.median, s.p85, s.max), (Some(29), Some(35), Some(41)));
        assert_eq!(s.over_limit, 15, "all but 22 23 24 25 25");
        assert_eq!(s.over_by_ten, 4, "35 36 38 41");
        assert_eq!(speed_summary(&[], 25).p85, None);
        assert_eq!(percentile(&[40], 85), Some(40));
    }
}
