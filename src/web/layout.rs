//! What every page shares: the layout (department name, navigation, footer), the
//! error page, and the class summary view used on several pages.

use askama::Template;
use axum::response::Html;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::domain::{ClassStatus, RegistrationState};
use crate::format;
use crate::store::catalog::{Class, Department};
use crate::web::error::AppError;

/// The department as the layout shows it.
pub struct DepartmentView {
    pub name: String,
    pub tagline: String,
    pub address: String,
    pub phone: String,
    pub non_emergency_phone: String,
    pub email: String,
    pub website: String,
}

impl DepartmentView {
    /// The phone number as a `tel:` target.
    pub fn phone_digits(&self) -> String {
        digits(&self.phone)
    }

    /// The non-emergency number as a `tel:` target.
    pub fn non_emergency_digits(&self) -> String {
        digits(&self.non_emergency_phone)
    }
}

fn digits(phone: &str) -> String {
    phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()
}

impl DepartmentView {}

/// One link of the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

const NAV: &[(&str, &str)] = &[
    ("/", "Home"),
    ("/programs", "Programs"),
    ("/about", "Community policing"),
    ("/advisories", "Advisories"),
    ("/requests/new", "Ask for help"),
];

/// Data for `base.html`.
pub struct Layout {
    pub site_name: String,
    /// The department's logo address (versioned so a new upload shows at once), or the
    /// generic badge.
    pub logo: String,
    pub department: Option<DepartmentView>,
    pub nav: Vec<NavItem>,
    /// The signed-in staff member's name, on back-office pages (shows sign-out).
    pub staff_name: Option<String>,
}

impl Layout {
    /// The layout for a page at `current` (a nav href, or "" for none). Works before
    /// the department is set up, with a neutral name.
    pub fn new(dept: Option<&Department>, current: &str) -> Layout {
        Layout {
            site_name: dept.map_or_else(|| "Police Department".to_string(), |d| d.name.clone()),
            logo: dept
                .and_then(|d| d.logo_updated_at)
                .map_or_else(|| "/assets/img/badge.svg".to_string(), |v| format!("/logo.png?v={v}")),
            department: dept.map(|d| DepartmentView {
                name: d.name.clone(),
                tagline: d.tagline.clone(),
                address: d.address.clone(),
                phone: d.phone.clone(),
                non_emergency_phone: d.non_emergency_phone.clone(),
                email: d.email.clone(),
                website: d.website.clone(),
            }),
            nav: NAV
                .iter()
                .map(|(href, label)| NavItem {
                    href,
                    label,
                    current: *href == current,
                })
                .collect(),
            staff_name: None,
        }
    }

    /// The layout of a back-office page for a signed-in staff member.
    /// A back-office layout; `extra` holds the links only some roles get.
    pub fn staff(
        dept: Option<&Department>,
        current: &str,
        name: &str,
        extra: &[(&'static str, &'static str)],
    ) -> Layout {
        let mut layout = Layout::new(dept, current);
        let mut nav: Vec<(&'static str, &'static str)> = vec![("/staff", "Classes")];
        nav.extend_from_slice(extra);
        nav.push((ACCOUNT, "My account"));
        layout.nav = nav
            .into_iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                current: href == current || (href == ACCOUNT && ACCOUNT_PAGES.iter().any(|(p, _, _)| *p == current)),
            })
            .collect();
        layout.staff_name = Some(name.to_string());
        layout
    }
}

/// The staff member's own pages, gathered on one page so the navigation stays short.
pub const ACCOUNT: &str = "/staff/account";
/// (address, name, what it is for) of each page under "My account".
pub const ACCOUNT_PAGES: &[(&str, &str, &str)] = &[
    (
        "/staff/calendar",
        "My calendar",
        "A private calendar address with the sessions you present and the DARE lessons you teach.",
    ),
    (
        "/staff/profile",
        "Public profile",
        "Whether your rank, name and photo appear on the public program pages, and your photo.",
    ),
    (
        "/staff/two-factor",
        "Two-step sign-in",
        "A code from an authenticator app at every sign-in.",
    ),
    ("/staff/password", "Password", "Change your password."),
];

/// The branded error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorTemplate {
    pub layout: Layout,
    pub title: &'static str,
    pub message: String,
}

/// Renders a page template, turning a template failure into a logged 500.
pub fn render(t: &impl Template) -> Result<Html<String>, AppError> {
    t.render()
        .map(|html| Html(title_errors(html)))
        .map_err(|e| AppError::Internal(e.into()))
}

/// The class every page's error summary carries.
const ERROR_SUMMARY: &str = "usa-alert--error";

/// A page that shows an error summary says so first in its title ("Error: Apply | ..."),
/// the first thing a screen reader announces and what a browser tab shows. Done here, on
/// the rendered page, so no form can forget it.
fn title_errors(html: String) -> String {
    if html.contains(ERROR_SUMMARY) && !html.contains("<title>Error: ") {
        html.replacen("<title>", "<title>Error: ", 1)
    } else {
        html
    }
}

/// A class as listed on pages.
pub struct ClassView {
    pub id: crate::domain::ClassId,
    pub name: String,
    pub program_name: String,
    pub program_slug: String,
    pub status: String,
    pub dates: String,
    pub seats_text: String,
    pub registration: String,
}

impl ClassView {
    /// Builds the view in the department's zone as of `now`.
    pub fn new(c: &Class, tz: &TimeZone, now: Timestamp) -> ClassView {
        let seats_text = match c.status {
            ClassStatus::Completed => match c.graduates {
                Some(n) => format!("{n} graduates"),
                None => "Completed".to_string(),
            },
            ClassStatus::Cancelled => "Cancelled".to_string(),
            ClassStatus::InProgress => match c.seats_taken {
                1 => "1 participant".to_string(),
                n => format!("{n} participants"),
            },
            _ => format::seats(c.seats_left(), c.capacity),
        };
        ClassView {
            id: c.id,
            name: c.name.clone(),
            program_name: c.program_name.clone(),
            program_slug: c.program_slug.clone(),
            status: c.status.label().to_string(),
            dates: format::date_span(c.first_session_at, c.last_session_at, tz),
            seats_text,
            registration: registration_text(c, tz, now),
        }
    }
}

/// "Open until Friday, December 18, 2026 at 5:00 PM PST", "Opens ...", "Closed".
pub fn registration_text(c: &Class, tz: &TimeZone, now: Timestamp) -> String {
    match RegistrationState::at(c.status, c.registration_opens_at, c.registration_closes_at, now) {
        RegistrationState::Open { closes_at: Some(t) } => format!("Open until {}", format::instant(t, tz)),
        RegistrationState::Open { closes_at: None } => "Open".to_string(),
        RegistrationState::NotYetOpen { opens_at: Some(t) } => format!("Opens {}", format::instant(t, tz)),
        RegistrationState::NotYetOpen { opens_at: None } => "Not open yet".to_string(),
        RegistrationState::Closed => match c.status {
            ClassStatus::Closed | ClassStatus::InProgress => "Closed: this class is full or under way".to_string(),
            _ => "Closed".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_with_an_error_summary_say_so_in_their_title() {
        let with = "<title>Apply | Dept</title><div class=\"usa-alert usa-alert--error\">".to_string();
        assert!(title_errors(with).starts_with("<title>Error: Apply"));
        let without = "<title>Apply | Dept</title><p>Fine</p>".to_string();
        assert_eq!(title_errors(without.clone()), without);
    }
}
