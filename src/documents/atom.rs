//! The department's news as an Atom feed (RFC 4287): current advisories and classes
//! announced or open for registration, newest change first, so residents and local news
//! sites can follow without an account.

use atom_syndication::{Category, Entry, Feed, FixedDateTime, Link, Person, Text};
use jiff::Timestamp;

use crate::domain::ClassStatus;
use crate::store::catalog::Class;
use crate::store::content::ContentItem;

/// RFC 3339 in UTC, as Atom's date constructs want.
fn date(ts: Timestamp) -> FixedDateTime {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
        .parse()
        .expect("an RFC 3339 date parses")
}

fn link(href: String, rel: &str, mime: &str) -> Link {
    Link {
        href,
        rel: rel.into(),
        mime_type: Some(mime.into()),
        ..Default::default()
    }
}

/// Whether a class is news: announced, or open for applications.
pub fn is_news(class: &Class) -> bool {
    matches!(class.status, ClassStatus::Announced | ClassStatus::Open)
}

/// The feed of current `advisories` and of `classes` (already filtered with [`is_news`])
/// for the department `department` (its zone `tz` for the dates in the text), as XML.
pub fn news_feed(
    department: &str,
    tz: &jiff::tz::TimeZone,
    base_url: &str,
    advisories: &[ContentItem],
    classes: &[Class],
    now: Timestamp,
) -> String {
    let base = base_url.trim_end_matches('/');
    let advisory_entries = advisories.iter().map(|a| {
        let url = format!("{base}/advisories/{}", a.slug);
        Entry {
            title: Text::plain(a.title.clone()),
            id: url.clone(),
            updated: date(a.updated_at),
            links: vec![link(url, "alternate", "text/html")],
            summary: Some(Text::plain(if a.summary.is_empty() {
                a.title.clone()
            } else {
                a.summary.clone()
            })),
            categories: vec![Category {
                term: "advisory".into(),
                label: Some(if a.category.is_empty() {
                    "Advisory".into()
                } else {
                    a.category.clone()
                }),
                ..Default::default()
            }],
            ..Default::default()
        }
    });
    let mut entries: Vec<Entry> = classes
        .iter()
        .map(|c| {
            let url = format!("{base}/classes/{}", c.id);
            let headline = match c.status {
                ClassStatus::Open => "registration is open",
                _ => "new class announced",
            };
            let mut summary = Vec::new();
            if let Some(first) = c.first_session_at {
                summary.push(format!(
                    "{} session{} from {}",
                    c.session_count,
                    if c.session_count == 1 { "" } else { "s" },
                    first.to_zoned(tz.clone()).strftime("%A, %B %-d, %Y")
                ));
            }
            if !c.location_name.is_empty() {
                summary.push(format!("at {}", c.location_name));
            }
            let mut text = summary.join(" ");
            if !text.is_empty() {
                text.push_str(". ");
            }
            match (c.status, c.registration_opens_at, c.registration_closes_at) {
                (ClassStatus::Open, _, Some(closes)) => text.push_str(&format!(
                    "Applications close {}. {} of {} seats left.",
                    closes.to_zoned(tz.clone()).strftime("%B %-d"),
                    c.seats_left(),
                    c.capacity
                )),
                (ClassStatus::Open, _, None) => {
                    text.push_str(&format!("{} of {} seats left.", c.seats_left(), c.capacity));
                }
                (_, Some(opens), _) => text.push_str(&format!(
                    "Registration opens {}.",
                    opens.to_zoned(tz.clone()).strftime("%B %-d")
                )),
                _ => text.push_str("Join the interest list to hear when registration opens."),
            }
            Entry {
                title: Text::plain(format!("{}: {} ({headline})", c.program_name, c.name)),
                id: url.clone(),
                updated: date(c.updated_at),
                links: vec![link(url, "alternate", "text/html")],
                summary: Some(Text::plain(text)),
                categories: vec![Category {
                    term: c.program_slug.clone(),
                    label: Some(c.program_name.clone()),
                    ..Default::default()
                }],
                ..Default::default()
            }
        })
        .chain(advisory_entries)
        .collect();
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    let updated = entries.first().map_or_else(|| date(now), |e| e.updated);
    let feed = Feed {
        title: Text::plain(format!("{department}: community programs")),
        subtitle: Some(Text::plain(format!(
            "Advisories, new classes and open registrations of the {department}'s community programs."
        ))),
        id: format!("{base}/feeds/news.atom"),
        updated,
        authors: vec![Person {
            name: department.to_string(),
            uri: Some(format!("{base}/")),
            ..Default::default()
        }],
        links: vec![
            link(format!("{base}/feeds/news.atom"), "self", "application/atom+xml"),
            link(format!("{base}/"), "alternate", "text/html"),
        ],
        lang: Some("en".into()),
        entries,
        ..Default::default()
    };
    feed.to_string()
}
