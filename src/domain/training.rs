//! Training officers give colleagues: checking a session and summing hours given and
//! received per officer.

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::ids::StaffId;

/// A checked training session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Training {
    pub topic: String,
    pub held_on: Date,
    pub minutes: u32,
    pub attendees: Vec<StaffId>,
}

/// Checks a session the trainer logs; every problem at once. The trainer is not an
/// attendee of their own session.
pub fn check(
    topic: &str,
    held_on: &str,
    hours: &str,
    attendees: &[String],
    trainer: StaffId,
    today: Date,
) -> Result<Training, Vec<String>> {
    let mut problems = Vec::new();
    let topic = topic.trim().to_string();
    if topic.is_empty() || topic.chars().count() > 150 {
        problems.push("Name the topic (up to 150 characters).".to_string());
    }
    let held_on = match held_on.trim().parse::<Date>() {
        Ok(d) if d <= today => Some(d),
        Ok(_) => {
            problems.push("Log training once it has been given.".into());
            None
        }
        Err(_) => {
            problems.push("Enter the date as year-month-day.".into());
            None
        }
    };
    // Hours in quarters: 1.5 is ninety minutes.
    let minutes = hours
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && (0.25..=40.0).contains(h))
        .map(|h| (h * 4.0).round() as u32 * 15);
    if minutes.is_none() {
        problems.push("Enter the length in hours, from 0.25 to 40.".into());
    }
    let mut ids = Vec::new();
    for a in attendees {
        match a.trim().parse::<StaffId>() {
            Ok(id) if id != trainer && !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(_) => problems.push("Choose attendees from the list.".into()),
        }
    }
    if ids.is_empty() {
        problems.push("Choose who attended.".into());
    }
    match (held_on, minutes, problems.is_empty()) {
        (Some(held_on), Some(minutes), true) => Ok(Training {
            topic,
            held_on,
            minutes,
            attendees: ids,
        }),
        _ => Err(problems),
    }
}

/// Minutes of training given and received per officer id, over sessions
/// `(trainer, minutes, attendees)`.
pub fn hours_by_officer(sessions: &[(StaffId, u32, Vec<StaffId>)]) -> BTreeMap<StaffId, (u32, u32)> {
    let mut out: BTreeMap<StaffId, (u32, u32)> = BTreeMap::new();
    for (trainer, minutes, attendees) in sessions {
        out.entry(*trainer).or_default().0 += minutes;
        for a in attendees {
            out.entry(*a).or_default().1 += minutes;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn sessions_are_checked() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let t = check(
            " De-escalation ",
            "2026-11-20",
            "1.5",
            &a(&["4", "5", "4", "9"]),
            StaffId::new(9),
            date(2026, 12, 2),
        )
        .unwrap();
        assert_eq!(
            (t.topic.as_str(), t.minutes, t.attendees.clone()),
            ("De-escalation", 90, vec![StaffId::new(4), StaffId::new(5)])
        );
        let problems = check("", "2027-01-01", "0", &a(&["x"]), StaffId::new(9), date(2026, 12, 2)).unwrap_err();
        assert_eq!(problems.len(), 5, "{problems:?}");
    }

    #[test]
    fn hours_are_summed_both_ways() {
        let s = StaffId::new;
        let h = hours_by_officer(&[
            (s(1), 90, vec![s(2), s(3)]),
            (s(2), 60, vec![s(1), s(3)]),
            (s(1), 30, vec![s(3)]),
        ]);
        assert_eq!(h[&s(1)], (120, 60));
        assert_eq!(h[&s(2)], (60, 90));
        assert_eq!(h[&s(3)], (0, 180));
    }
}
