//! iCalendar (RFC 5545) feeds. One VEVENT per session with times in UTC, so no recurrence
//! rule can drift across a DST change; a stable UID per session and a SEQUENCE that grows
//! with every change, so calendar clients replace their copy; cancelled sessions (or a
//! cancelled class) stay in the feed with STATUS:CANCELLED so clients remove them.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use jiff::Timestamp;

use crate::domain::ClassStatus;
use crate::store::catalog::{Class, Session};

/// `20261203T020000Z`.
fn utc(ts: Timestamp) -> String {
    ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The host part of UIDs: stable for a deployment, from its public address.
pub fn uid_host(base_url: &str) -> String {
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or(base_url)
        .split(['/', ':'])
        .next()
        .unwrap_or("precinct");
    if host.is_empty() {
        "precinct".into()
    } else {
        host.to_string()
    }
}

/// A class's sessions as a calendar. `time_zone` names the department's zone for clients
/// that show it (`X-WR-TIMEZONE`); the times themselves are UTC.
pub fn class_calendar(
    department: &str,
    time_zone: &str,
    base_url: &str,
    class: &Class,
    sessions: &[Session],
) -> String {
    let host = uid_host(base_url);
    let class_cancelled = class.status == ClassStatus::Cancelled;
    let mut cal = Calendar::new();
    cal.name(&format!("{}: {}", class.program_name, class.name))
        .timezone(time_zone)
        .append_property(icalendar::Property::new(
            "PRODID",
            "-//Precinct//Community programs//EN",
        ))
        .append_property(icalendar::Property::new(
            "X-WR-CALDESC",
            format!("Sessions of {} offered by the {department}", class.program_name),
        ));
    for s in sessions {
        let cancelled = s.cancelled || class_cancelled;
        let place = [
            s.place.as_str(),
            class.location_name.as_str(),
            class.location_address.as_str(),
        ]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
        let mut description = s.description.clone();
        let presenters: Vec<String> = s
            .presenters
            .iter()
            .map(|p| match &p.officer {
                Some(o) => format!("{} ({o})", p.unit_name),
                None => p.unit_name.clone(),
            })
            .collect();
        if !presenters.is_empty() {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&format!("Presented by {}.", presenters.join(", ")));
        }
        // A whole-class cancellation changes every event, so its sequence moves too.
        let sequence = s.sequence + i64::from(class_cancelled && !s.cancelled);
        let mut event = Event::new();
        event
            .uid(&format!("session-{}@{host}", s.id))
            .summary(&format!("{}: {}", class.program_name, s.topic))
            .description(&description)
            .location(&place)
            .add_property("DTSTART", utc(s.starts_at))
            .add_property("DTEND", utc(s.ends_at))
            .sequence(u32::try_from(sequence).unwrap_or(u32::MAX))
            .url(&format!("{}/classes/{}", base_url.trim_end_matches('/'), class.id))
            .status(if cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        // DTSTAMP is when this copy was generated; clients compare SEQUENCE for changes.
        event.add_property("DTSTAMP", utc(Timestamp::now()));
        cal.push(event.done());
    }
    cal.done().to_string()
}
