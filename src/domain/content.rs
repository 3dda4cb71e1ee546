//! Department content: pages (always there once published) and advisories (shown while
//! their window is open). A window is either fixed dates or a season that comes back every
//! year, like a winter-driving advisory from November to March.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::program::coded_enum;

coded_enum! {
    /// What a piece of content is.
    ContentKind {
        Page = "page" / "Page",
        Advisory = "advisory" / "Advisory",
    }
}

/// When an advisory shows, in the department's local dates (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Window {
    /// Always, once published.
    Always,
    /// From one date to another (either end may be open).
    Dates { from: Option<Date>, until: Option<Date> },
    /// Every year from one month and day to another; a season may wrap past New Year
    /// (November 1 to March 31).
    Season { from: (i8, i8), until: (i8, i8) },
}

impl Window {
    /// Whether the window is open on `today` (a local date).
    pub fn is_open(&self, today: Date) -> bool {
        match *self {
            Window::Always => true,
            Window::Dates { from, until } => from.is_none_or(|f| today >= f) && until.is_none_or(|u| today <= u),
            Window::Season { from, until } => {
                let day = (today.month(), today.day());
                if from <= until {
                    from <= day && day <= until
                } else {
                    // Wraps past New Year: open from `from` to December 31 and from
                    // January 1 to `until`.
                    day >= from || day <= until
                }
            }
        }
    }

    /// Words for staff lists: "every year, Nov 1 to Mar 31".
    pub fn describe(&self) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let md = |(m, d): (i8, i8)| format!("{} {d}", MONTHS[(m.clamp(1, 12) - 1) as usize]);
        match *self {
            Window::Always => "always".into(),
            Window::Dates { from, until } => match (from, until) {
                (Some(f), Some(u)) => format!("{f} to {u}"),
                (Some(f), None) => format!("from {f}"),
                (None, Some(u)) => format!("until {u}"),
                (None, None) => "always".into(),
            },
            Window::Season { from, until } => format!("every year, {} to {}", md(from), md(until)),
        }
    }
}

/// Parses `MM-DD` (a day that exists in a leap year).
pub fn parse_month_day(s: &str) -> Option<(i8, i8)> {
    let (m, d) = s.trim().split_once('-')?;
    let (m, d): (i8, i8) = (m.parse().ok()?, d.parse().ok()?);
    jiff::civil::Date::new(2024, m, d).ok().map(|_| (m, d))
}

/// A page or advisory as staff write it.
#[derive(Debug, Clone, Default)]
pub struct ContentDraft {
    pub slug: String,
    pub title: String,
    pub category: String,
    pub summary: String,
    pub body_markdown: String,
}

/// Longest body, in characters.
pub const MAX_BODY_CHARS: usize = 40_000;

impl ContentDraft {
    /// Every problem with the draft, in plain words.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if !super::program::is_slug(&self.slug, 80) {
            errors.push(
                "The web address name must be 2 to 80 lowercase letters, digits or hyphens, like winter-driving."
                    .into(),
            );
        }
        if self.title.trim().is_empty() || self.title.chars().count() > 120 {
            errors.push("Give a title of 1 to 120 characters.".into());
        }
        if self.category.chars().count() > 60 {
            errors.push("Keep the category under 60 characters.".into());
        }
        if self.summary.chars().count() > 300 {
            errors.push("Keep the summary under 300 characters.".into());
        }
        if self.body_markdown.trim().is_empty() {
            errors.push("Write the text.".into());
        }
        if self.body_markdown.chars().count() > MAX_BODY_CHARS {
            errors.push(format!("Keep the text under {MAX_BODY_CHARS} characters."));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// A page every department site has, at a fixed address: shown from the department's own
/// page with the same slug once one is published, otherwise from this default text.
#[derive(Debug, Clone, Copy)]
pub struct SitePage {
    pub slug: &'static str,
    pub path: &'static str,
    /// May name `{city}`.
    pub title: &'static str,
    /// Markdown with `{department}`, `{city}` and `{contact}` filled in from the profile.
    pub default_markdown: &'static str,
}

/// The built-in pages (the privacy notice lists the configured questions, so it has its
/// own page around an editable introduction).
pub const SITE_PAGES: &[SitePage] = &[
    SitePage {
        slug: "community-policing",
        path: "/about",
        title: "Community policing in {city}",
        default_markdown: "Safety is something a city makes together. Community policing is how the {department} \
organizes its work around that idea.

## What it means for you

Officers stay assigned to the same neighborhoods long enough to know them. They meet residents, businesses and \
schools in {city} to hear which problems matter most, and work on those problems with the people who live with \
them, rather than only answering one call after another.

## How we do it

- **Academies.** Citizen and teen academies show how the department works from the inside; graduates often stay involved.
- **Schools.** Instructors teach in classrooms, and resource officers serve the schools and colleges.
- **Neighborhoods.** Neighborhood Watch groups and block meetings share information in both directions.
- **Streets.** Residents point out dangerous traffic spots; focused enforcement follows, and we report the results.

## How we measure it

We ask participants before and after each program how safe they feel and how much they trust the department, and \
we publish what changes. We count the hours officers spend in classrooms and neighborhoods so the council and \
residents can see the work.

## Get involved

[See the programs](/programs) and join one, or [ask us](/requests/new) for a presentation for your school or group.
",
    },
    SitePage {
        slug: "accessibility",
        path: "/accessibility",
        title: "Accessibility",
        default_markdown: "The {department} wants everyone in {city} to be able to use this site: to find programs, \
apply, follow an application and ask for help.

## Our standard

We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. Every page works with a keyboard \
alone, with screen readers and without JavaScript, and text can be enlarged to 200 percent without losing content. \
Each page is checked automatically for accessibility problems before every release, and by people using assistive \
technology.

## Tell us about a problem

If you cannot use part of this site, or need a form or document in another format, contact {contact}. Tell us the \
address of the page and what went wrong; we will answer within five working days and, while we fix it, help you \
by phone or in person.

## Classes and events

Tell us what you need to take part (an interpreter, captions, an accessible room, large print) when you apply, or \
contact {contact} before the first session.
",
    },
];

/// The built-in page with this slug.
pub fn site_page(slug: &str) -> Option<&'static SitePage> {
    SITE_PAGES.iter().find(|p| p.slug == slug)
}

/// A built-in page's default title for this department.
pub fn fill_title(page: &SitePage, city: &str) -> String {
    page.title.replace("{city}", city)
}

/// A built-in page's default text for this department.
pub fn fill_default(page: &SitePage, department: &str, city: &str, contact: &str) -> String {
    page.default_markdown
        .replace("{department}", department)
        .replace("{city}", city)
        .replace("{contact}", contact)
}

#[cfg(test)]
mod tests {
    #[test]
    fn site_pages_fill_in_the_department() {
        let page = super::site_page("accessibility").unwrap();
        let text = super::fill_default(
            page,
            "Lakeside Police Department",
            "Lakeside",
            "access@lakeside.example",
        );
        assert!(text.contains("The Lakeside Police Department wants everyone in Lakeside"));
        assert!(text.contains("contact access@lakeside.example"));
        assert!(!text.contains('{'));
        assert!(super::site_page("community-policing").is_some());
        assert!(super::site_page("nothing").is_none());
    }

    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_winter_season_wraps_past_new_year() {
        let winter = Window::Season {
            from: (11, 1),
            until: (3, 31),
        };
        assert!(winter.is_open(date(2026, 11, 1)));
        assert!(winter.is_open(date(2026, 12, 31)));
        assert!(winter.is_open(date(2027, 1, 1)));
        assert!(winter.is_open(date(2027, 3, 31)));
        assert!(!winter.is_open(date(2027, 4, 1)));
        assert!(!winter.is_open(date(2026, 10, 31)));
        assert!(!winter.is_open(date(2026, 7, 4)));
        assert_eq!(winter.describe(), "every year, Nov 1 to Mar 31");
    }

    #[test]
    fn a_summer_season_does_not_wrap() {
        let summer = Window::Season {
            from: (6, 1),
            until: (8, 31),
        };
        assert!(summer.is_open(date(2026, 6, 1)));
        assert!(summer.is_open(date(2026, 8, 31)));
        assert!(!summer.is_open(date(2026, 9, 1)));
        assert!(!summer.is_open(date(2026, 5, 31)));
    }

    #[test]
    fn fixed_dates_include_both_ends() {
        let w = Window::Dates {
            from: Some(date(2026, 12, 1)),
            until: Some(date(2026, 12, 3)),
        };
        assert!(!w.is_open(date(2026, 11, 30)));
        assert!(w.is_open(date(2026, 12, 1)));
        assert!(w.is_open(date(2026, 12, 3)));
        assert!(!w.is_open(date(2026, 12, 4)));
        assert!(
            Window::Dates {
                from: None,
                until: None
            }
            .is_open(date(2030, 1, 1))
        );
        assert!(Window::Always.is_open(date(2030, 1, 1)));
    }

    #[test]
    fn month_days_are_checked() {
        assert_eq!(parse_month_day("11-01"), Some((11, 1)));
        assert_eq!(parse_month_day("02-29"), Some((2, 29)));
        assert_eq!(parse_month_day("02-30"), None);
        assert_eq!(parse_month_day("13-01"), None);
        assert_eq!(parse_month_day("winter"), None);
    }

    #[test]
    fn windows_round_trip_as_json() {
        let w = Window::Season {
            from: (11, 1),
            until: (3, 31),
        };
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(serde_json::from_str::<Window>(&json).unwrap(), w);
    }

    #[test]
    fn drafts_list_every_problem() {
        let bad = ContentDraft {
            slug: "Winter Driving".into(),
            title: String::new(),
            category: "x".repeat(61),
            summary: "y".repeat(301),
            body_markdown: " ".into(),
        };
        assert_eq!(bad.validate().unwrap_err().len(), 5);
        let good = ContentDraft {
            slug: "winter-driving".into(),
            title: "Driving in snow and ice".into(),
            category: "Road safety".into(),
            summary: "Slow down, leave room.".into(),
            body_markdown: "## Before you go".into(),
        };
        assert_eq!(good.validate(), Ok(()));
    }
}
