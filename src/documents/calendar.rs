//! iCalendar (RFC 5545) feeds. One VEVENT per session (no recurrence rule that could drift
//! across a DST change), in the department's local time with its VTIMEZONE built from the
//! zone's real transitions over the feed's span; a stable UID per session and a SEQUENCE that grows
//! with every change, so calendar clients replace their copy; cancelled sessions (or a
//! cancelled class) stay in the feed with STATUS:CANCELLED so clients remove them.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use jiff::Timestamp;

use crate::domain::ClassStatus;
use crate::domain::dare::{DareStatus, LessonStatus};
use crate::store::catalog::{Class, Session};
use crate::store::dare::DareClass;

/// Text as RFC 5545 allows it in a TEXT value: line breaks as `\n` (which the
/// icalendar crate escapes) and no other control characters. A bare CR would otherwise
/// reach the output unescaped and split a content line.
fn text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

/// One-line text for the calendar's own name and description, which the icalendar
/// crate writes as given.
fn line(s: &str) -> String {
    text(s).replace(['\n', '\t'], " ")
}

/// Unfolds `ics` and folds every content line at 75 octets (RFC 5545 §3.1), the
/// leading space of a continuation included, never inside a UTF-8 character.
fn fold(ics: &str) -> String {
    let unfolded = ics.replace("\r\n ", "").replace("\r\n\t", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 70 * 3);
    for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
        let mut room = 75;
        let mut used = 0;
        for c in line.chars() {
            if used + c.len_utf8() > room {
                out.push_str("\r\n ");
                room = 74;
                used = 0;
            }
            out.push(c);
            used += c.len_utf8();
        }
        out.push_str("\r\n");
    }
    out
}

/// `20261203T020000Z`.
fn utc(ts: Timestamp) -> String {
    ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// `-0800`.
fn offset(o: jiff::tz::Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.abs();
    format!("{sign}{:02}{:02}", abs / 3600, (abs % 3600) / 60)
}

/// A VTIMEZONE for `tz` covering `from..=to`: one STANDARD or DAYLIGHT block per real
/// transition in that span (plus the one in force at its start), so clients need no
/// time-zone database of their own.
pub fn vtimezone(name: &str, tz: &jiff::tz::TimeZone, from: Timestamp, to: Timestamp) -> String {
    let block =
        |out: &mut String, at: Timestamp, before: jiff::tz::Offset, after: jiff::tz::Offset, abbr: &str, dst: bool| {
            let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
            // DTSTART is the wall-clock time just before the change, in the old offset.
            let local = at.to_zoned(jiff::tz::TimeZone::fixed(before)).datetime();
            out.push_str(&format!(
                "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nTZNAME:{abbr}\r\nEND:{kind}\r\n",
                local.strftime("%Y%m%dT%H%M%S"),
                offset(before),
                offset(after),
            ));
        };
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{name}\r\n");
    // The rule in force at the start of the span, then every change until its end.
    let start = tz.preceding(from).next();
    let info = tz.to_offset_info(from);
    match start {
        Some(t) => {
            let before = tz.to_offset(t.timestamp() - jiff::SignedDuration::from_secs(1));
            block(
                &mut out,
                t.timestamp(),
                before,
                t.offset(),
                t.abbreviation(),
                t.dst().is_dst(),
            );
        }
        None => block(
            &mut out,
            Timestamp::UNIX_EPOCH,
            info.offset(),
            info.offset(),
            info.abbreviation(),
            info.dst().is_dst(),
        ),
    }
    for t in tz.following(from).take_while(|t| t.timestamp() <= to) {
        let before = tz.to_offset(t.timestamp() - jiff::SignedDuration::from_secs(1));
        block(
            &mut out,
            t.timestamp(),
            before,
            t.offset(),
            t.abbreviation(),
            t.dst().is_dst(),
        );
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
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

/// What a feed is called and who offers it.
pub struct Feed<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// IANA name of the department's zone; times are written in it.
    pub time_zone: &'a str,
    pub base_url: &'a str,
}

/// A class's sessions as a calendar, in the department's zone `time_zone` (an IANA name).
pub fn class_calendar(
    department: &str,
    time_zone: &str,
    base_url: &str,
    class: &Class,
    sessions: &[Session],
) -> String {
    let title = format!("{}: {}", class.program_name, class.name);
    let description = format!("Sessions of {} offered by the {department}", class.program_name);
    calendar(
        &Feed {
            title: &title,
            description: &description,
            time_zone,
            base_url,
        },
        &[(class.clone(), sessions.to_vec())],
        &[],
    )
}

/// One event, whatever it comes from (a class session, a DARE lesson).
#[derive(Debug, Clone)]
pub struct Entry {
    /// Unique and stable across changes: `session-41@host`.
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// Grows with every change.
    pub sequence: u32,
    pub url: String,
    pub cancelled: bool,
}

/// The sessions of several classes, and any `extra` events (an officer's DARE lessons),
/// as one calendar (a participant's classes, or what one officer teaches).
pub fn calendar(feed: &Feed<'_>, classes: &[(Class, Vec<Session>)], extra: &[Entry]) -> String {
    let host = uid_host(feed.base_url);
    let base_url = feed.base_url.trim_end_matches('/');
    let tz = jiff::tz::TimeZone::get(feed.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut cal = Calendar::new();
    cal.name(&line(feed.title))
        .timezone(feed.time_zone)
        .append_property(icalendar::Property::new(
            "PRODID",
            "-//Precinct//Community programs//EN",
        ))
        .append_property(icalendar::Property::new("X-WR-CALDESC", line(feed.description)));
    let entries = classes
        .iter()
        .flat_map(|(class, sessions)| sessions.iter().map(|s| session_entry(s, class, &host, base_url)))
        .chain(extra.iter().cloned());
    let mut span: Option<(Timestamp, Timestamp)> = None;
    for e in entries {
        span = Some(match span {
            None => (e.starts_at, e.ends_at),
            Some((from, to)) => (from.min(e.starts_at), to.max(e.ends_at)),
        });
        cal.push(event(&e, &tz, feed.time_zone));
    }
    // The crate's folding lets escaped lines run past 75 octets; fold again ourselves.
    let text = fold(&cal.done().to_string());
    // icalendar writes no VTIMEZONE; put ours first, where clients look for it.
    // The first event's own line, not the words inside some name or description.
    match (span, text.find("\r\nBEGIN:VEVENT\r\n").map(|at| at + 2)) {
        (Some((from, to)), Some(at)) => {
            let zone = vtimezone(feed.time_zone, &tz, from, to);
            format!("{}{zone}{}", &text[..at], &text[at..])
        }
        _ => text,
    }
}

fn session_entry(s: &Session, class: &Class, host: &str, base_url: &str) -> Entry {
    let class_cancelled = class.status == ClassStatus::Cancelled;
    let place = [
        s.place.as_str(),
        class.location_name.as_str(),
        class.location_address.as_str(),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .fold(Vec::new(), |mut parts: Vec<&str>, p| {
        // Sessions often name the same room as the class.
        if !parts.contains(&p) {
            parts.push(p);
        }
        parts
    })
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
    Entry {
        uid: format!("session-{}@{host}", s.id),
        summary: format!("{}: {}", class.program_name, s.topic),
        description,
        location: place,
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        sequence: u32::try_from(sequence).unwrap_or(u32::MAX),
        url: format!("{base_url}/classes/{}", class.id),
        cancelled: s.cancelled || class_cancelled,
    }
}

/// A DARE class's lessons as events for its instructor, at the school.
pub fn dare_entries(class: &DareClass, base_url: &str) -> Vec<Entry> {
    let host = uid_host(base_url);
    let base_url = base_url.trim_end_matches('/');
    let grade = crate::domain::dare::grade_label(class.grade).to_lowercase();
    let class_cancelled = class.status == DareStatus::Cancelled;
    class
        .lessons
        .iter()
        .map(|l| Entry {
            uid: format!("dare-lesson-{}@{host}", l.id),
            summary: format!("DARE at {}: {}", class.school, l.topic),
            description: format!(
                "Lesson {} of {} for {}'s {grade} class ({} students).",
                l.position,
                class.lessons.len(),
                class.teacher,
                class.students
            ),
            location: [class.school.as_str(), class.school_address.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            starts_at: l.starts_at,
            ends_at: l.ends_at,
            // A class cancelled as a whole changes every lesson still to come.
            sequence: l.sequence + u32::from(class_cancelled && l.status != LessonStatus::Cancelled),
            url: format!("{base_url}/staff/dare/{}", class.id),
            cancelled: class_cancelled || l.status == LessonStatus::Cancelled,
        })
        .collect()
}

fn event(e: &Entry, tz: &jiff::tz::TimeZone, time_zone: &str) -> Event {
    let mut event = Event::new();
    event
        .uid(&e.uid)
        .summary(&text(&e.summary))
        .description(&text(&e.description))
        .location(&text(&e.location))
        .append_property(local_time("DTSTART", e.starts_at, tz, time_zone))
        .append_property(local_time("DTEND", e.ends_at, tz, time_zone))
        .sequence(e.sequence)
        .url(&e.url)
        .status(if e.cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    // DTSTAMP is when this copy was generated; clients compare SEQUENCE for changes.
    event.add_property("DTSTAMP", utc(Timestamp::now()));
    event.done()
}

/// `DTSTART;TZID=America/Los_Angeles:20261203T180000`.
fn local_time(name: &str, ts: Timestamp, tz: &jiff::tz::TimeZone, zone: &str) -> icalendar::Property {
    let mut p = icalendar::Property::new(name, ts.to_zoned(tz.clone()).strftime("%Y%m%dT%H%M%S").to_string());
    p.add_parameter("TZID", zone);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zone_block_lists_the_real_changes_of_the_span() {
        let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        let from: Timestamp = "2026-09-10T01:00:00Z".parse().unwrap();
        let to: Timestamp = "2027-04-01T03:00:00Z".parse().unwrap();
        let z = vtimezone("America/Los_Angeles", &tz, from, to);
        // In force at the start (March 2026 spring forward), then November and March.
        assert_eq!(z.matches("BEGIN:DAYLIGHT").count(), 2, "{z}");
        assert_eq!(z.matches("BEGIN:STANDARD").count(), 1, "{z}");
        assert!(
            z.contains("DTSTART:20261101T020000\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\nTZNAME:PST"),
            "{z}"
        );
        assert!(
            z.contains("DTSTART:20270314T020000\r\nTZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\nTZNAME:PDT"),
            "{z}"
        );
        let utc = vtimezone("UTC", &jiff::tz::TimeZone::UTC, from, to);
        assert!(utc.contains("TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000"), "{utc}");
    }

    fn hostile_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(
                proptest::sample::select(vec![
                    "\r\n",
                    "\n",
                    "\r",
                    "BEGIN:VEVENT",
                    "END:VEVENT",
                    "END:VCALENDAR",
                    "SUMMARY:forged",
                    ";",
                    ",",
                    "\\",
                    "\\n",
                    ":",
                    "\"",
                    "é",
                    "👮🏽‍♀️",
                    "\u{0}",
                    "\u{7f}",
                    "\t",
                    " ",
                    "x",
                    "ATTACH:http://evil.example/",
                    "DTSTART:19700101T000000Z",
                ]),
                0..30,
            )
            .prop_map(|parts| parts.concat()),
        ]
    }

    /// RFC 5545 text unescaping, after unfolding.
    fn unescape(v: &str) -> String {
        let mut out = String::new();
        let mut chars = v.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n' | 'N') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 256, failure_persistence: None, ..Default::default() })]

        /// Whatever staff type into names, topics, places and descriptions, the feed stays
        /// one calendar with one event per session: CRLF-terminated lines of at most 75
        /// octets, no property injected, and each text read back as it was typed.
        #[test]
        fn hostile_text_never_breaks_a_feed(
            program in hostile_text(), class_name in hostile_text(), topic in hostile_text(),
            description in hostile_text(), place in hostile_text(), officer in hostile_text(),
            sessions in 1usize..4,
        ) {
            use crate::domain::{Allocation, ClassId, ProgramId, SessionId};
            let start: Timestamp = "2026-11-03T23:00:00Z".parse().unwrap();
            let class = Class {
                id: ClassId::new(7), program_id: ProgramId::new(1), program_slug: "p".into(),
                program_name: program.clone(), name: class_name, capacity: 10, status: ClassStatus::Open,
                registration_opens_at: None, registration_closes_at: None, location_name: place.clone(),
                location_address: String::new(), graduates: None, allocation: Allocation::FirstCome,
                corrections_until: None, seats_taken: 0, first_session_at: None, last_session_at: None,
                session_count: 0, updated_at: start,
            };
            let list: Vec<Session> = (0..sessions).map(|i| {
                let at = start + jiff::SignedDuration::from_hours(168 * i as i64);
                Session {
                    id: SessionId::new(i as i64 + 1), position: i as i64 + 1, topic: topic.clone(),
                    description: description.clone(), local_date: at.to_zoned(jiff::tz::TimeZone::UTC).date(),
                    local_start: jiff::civil::time(18, 0, 0, 0), local_end: jiff::civil::time(20, 0, 0, 0),
                    starts_at: at, ends_at: at + jiff::SignedDuration::from_hours(2), place: place.clone(),
                    cancelled: false, sequence: 0,
                    presenters: vec![crate::store::catalog::Presenter {
                        unit_slug: "k9".into(), unit_name: "K-9".into(), officer: Some(officer.clone()),
                    }],
                }
            }).collect();
            let text = class_calendar("Harbor Point Police Department", "America/New_York",
                "https://programs.example", &class, &list);
            proptest::prop_assert!(text.ends_with("\r\n"));
            let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
            for line in &lines {
                proptest::prop_assert!(!line.contains('\r') && !line.contains('\n'), "bare line break in {:?}", line);
                proptest::prop_assert!(line.len() <= 75, "line of {} octets: {:?}", line.len(), line);
            }
            // Unfold: a line starting with a space or tab continues the previous one.
            let mut unfolded: Vec<String> = Vec::new();
            for line in lines {
                match (line.strip_prefix(' ').or_else(|| line.strip_prefix('\t')), unfolded.last_mut()) {
                    (Some(rest), Some(last)) => last.push_str(rest),
                    _ => unfolded.push(line.to_string()),
                }
            }
            let count = |l: &str| unfolded.iter().filter(|u| u.as_str() == l).count();
            proptest::prop_assert_eq!(count("BEGIN:VCALENDAR"), 1);
            proptest::prop_assert_eq!(count("END:VCALENDAR"), 1);
            proptest::prop_assert_eq!(count("BEGIN:VEVENT"), sessions);
            proptest::prop_assert_eq!(count("END:VEVENT"), sessions);
            proptest::prop_assert!(!unfolded.iter().any(|u| u.starts_with("ATTACH") || u.starts_with("SUMMARY:forged")));
            let summaries: Vec<String> = unfolded.iter().filter_map(|u| u.strip_prefix("SUMMARY:")).map(unescape).collect();
            proptest::prop_assert_eq!(summaries.len(), sessions);
            for s in summaries {
                proptest::prop_assert_eq!(s, super::text(&format!("{program}: {topic}")));
            }
        }
    }
}
