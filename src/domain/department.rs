//! The department's profile as an administrator enters it, and what is still missing
//! before the site is ready for residents (the first-run checklist).

use serde::Deserialize;

use super::application::looks_like_email;

/// The profile form, as submitted (every field text).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub name: String,
    pub short_name: String,
    pub city: String,
    pub state: String,
    pub service_area: String,
    pub time_zone: String,
    pub address: String,
    pub phone: String,
    pub non_emergency_phone: String,
    pub email: String,
    pub website: String,
    pub reply_to: String,
    pub accessibility_contact: String,
    pub tagline: String,
}

/// A checked profile: trimmed, lengths bounded, the zone a real IANA name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub short_name: String,
    pub city: String,
    pub state: String,
    pub service_area: String,
    pub time_zone: String,
    pub address: String,
    pub phone: String,
    pub non_emergency_phone: String,
    pub email: String,
    pub website: String,
    pub reply_to: String,
    pub accessibility_contact: String,
    pub tagline: String,
}

/// One problem with a field: `(field, message)`.
pub type FieldProblem = (&'static str, String);

impl ProfileInput {
    /// Checks every field; all problems are reported together.
    pub fn check(&self) -> Result<Profile, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut text = |field: &'static str, label: &str, value: &str, required: bool, max: usize| {
            let v = value.trim().to_string();
            if required && v.is_empty() {
                problems.push((field, format!("Enter the {label}.")));
            } else if v.chars().count() > max {
                problems.push((field, format!("The {label} can be at most {max} characters.")));
            } else if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
                problems.push((field, format!("The {label} contains characters that cannot be shown.")));
            }
            v
        };
        let name = text("name", "department's name", &self.name, true, 120);
        let short_name = text("short_name", "short name", &self.short_name, false, 40);
        let city = text("city", "city", &self.city, true, 80);
        let state = text("state", "state", &self.state, true, 40);
        let service_area = text("service_area", "service area", &self.service_area, false, 2000);
        let address = text("address", "address", &self.address, true, 200);
        let phone = text("phone", "main phone number", &self.phone, true, 40);
        let non_emergency_phone = text(
            "non_emergency_phone",
            "non-emergency phone number",
            &self.non_emergency_phone,
            false,
            40,
        );
        let email = text("email", "contact email address", &self.email, true, 254);
        let website = text("website", "website", &self.website, false, 300);
        let reply_to = text("reply_to", "reply-to address", &self.reply_to, false, 254);
        let accessibility_contact = text(
            "accessibility_contact",
            "accessibility contact",
            &self.accessibility_contact,
            false,
            254,
        );
        let tagline = text("tagline", "tagline", &self.tagline, false, 200);
        let time_zone = self.time_zone.trim().to_string();
        if jiff::tz::TimeZone::get(&time_zone).is_err() || time_zone.is_empty() {
            problems.push((
                "time_zone",
                "Choose the department's time zone, like America/Chicago.".into(),
            ));
        }
        if !email.is_empty() && !looks_like_email(&email) {
            problems.push((
                "email",
                "Enter the contact email address like community@example.org.".into(),
            ));
        }
        if !reply_to.is_empty() && !looks_like_email(&reply_to) {
            problems.push((
                "reply_to",
                "Enter the reply-to address like community@example.org.".into(),
            ));
        }
        if !(website.is_empty() || website.starts_with("https://") || website.starts_with("http://")) {
            problems.push((
                "website",
                "Enter the website's full address, starting with https://.".into(),
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Profile {
            short_name: if short_name.is_empty() {
                name.clone()
            } else {
                short_name
            },
            name,
            city,
            state,
            service_area,
            time_zone,
            address,
            phone,
            non_emergency_phone,
            email,
            website,
            reply_to,
            accessibility_contact,
            tagline,
        })
    }
}

/// A staff account's details as an administrator enters them (invite or edit).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AccountInput {
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub rank: String,
    pub badge_number: String,
}

/// Checked account details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub email: String,
    pub full_name: String,
    pub role: super::Role,
    pub rank: Option<String>,
    pub badge_number: Option<String>,
}

impl AccountInput {
    /// Checks the details; `with_email` is false when editing (the address is the
    /// account's identity and does not change here).
    pub fn check(&self, with_email: bool) -> Result<Account, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let email = self.email.trim().to_lowercase();
        if with_email && !looks_like_email(&email) {
            problems.push(("email", "Enter the work email address, like name@example.org.".into()));
        }
        let full_name = self.full_name.trim().to_string();
        if full_name.is_empty() || full_name.chars().count() > 120 {
            problems.push(("full_name", "Enter the full name (up to 120 characters).".into()));
        }
        let role = super::Role::parse(self.role.trim());
        if role.is_none() {
            problems.push(("role", "Choose a role.".into()));
        }
        let optional = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let rank = optional(&self.rank);
        let badge_number = optional(&self.badge_number);
        if rank.as_deref().is_some_and(|r| r.chars().count() > 40) {
            problems.push(("rank", "The rank can be at most 40 characters.".into()));
        }
        if badge_number.as_deref().is_some_and(|b| b.chars().count() > 20) {
            problems.push(("badge_number", "The badge number can be at most 20 characters.".into()));
        }
        match role {
            Some(role) if problems.is_empty() => Ok(Account {
                email,
                full_name,
                role,
                rank,
                badge_number,
            }),
            _ => Err(problems),
        }
    }
}

/// Why an account change is refused, whatever the form said.
pub fn account_change_refusal(
    target_is_admin: bool,
    new_role_is_admin: bool,
    deactivating: bool,
    active_admins: i64,
) -> Option<&'static str> {
    let loses_admin = target_is_admin && (!new_role_is_admin || deactivating);
    (loses_admin && active_admins <= 1).then_some(
        "This is the only active administrator. Make someone else an administrator first, so the department is never locked out.",
    )
}

/// A unit's address-safe code, from its name ("K-9 Unit" -> "k-9-unit").
pub fn unit_slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "unit".into() } else { out }
}

/// What the department has set up so far, for the first-run checklist.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetupFacts {
    pub profile: bool,
    pub reply_to: bool,
    pub coordinators: i64,
    pub officers: i64,
    pub units: i64,
    pub programs: i64,
    pub classes: i64,
    pub holidays: i64,
}

/// One step of the first-run checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupStep {
    pub label: &'static str,
    pub href: &'static str,
    pub done: bool,
}

/// The first-run steps in the order a department does them.
pub fn checklist(f: &SetupFacts) -> Vec<SetupStep> {
    let step = |label, href, done| SetupStep { label, href, done };
    vec![
        step(
            "Enter the department's name, city, time zone and contacts",
            "/staff/settings",
            f.profile,
        ),
        step(
            "Give an address for replies to the department's email",
            "/staff/settings",
            f.reply_to,
        ),
        step("Add the department's units", "/staff/units", f.units > 0),
        step("Invite a coordinator", "/staff/people", f.coordinators > 0),
        step(
            "Invite the officers who present or teach",
            "/staff/people",
            f.officers > 0,
        ),
        step("Enter this year's holidays", "/staff/holidays", f.holidays > 0),
        step("Create a program", "/staff/programs/new", f.programs > 0),
        step("Plan its first class", "/staff/classes/new", f.classes > 0),
    ]
}

/// Whether the checklist still has something to do (the staff home shows it until then).
pub fn setup_pending(f: &SetupFacts) -> bool {
    checklist(f).iter().any(|s| !s.done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> ProfileInput {
        ProfileInput {
            name: " Lakeside Police Department ".into(),
            city: "Lakeside".into(),
            state: "MN".into(),
            time_zone: "America/Chicago".into(),
            address: "1 Main Street".into(),
            phone: "(555) 010-1000".into(),
            email: "info@lakeside.example".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_profile_is_trimmed_and_gets_a_short_name() {
        let p = filled().check().unwrap();
        assert_eq!(p.name, "Lakeside Police Department");
        assert_eq!(p.short_name, "Lakeside Police Department");
        assert_eq!(p.time_zone, "America/Chicago");
    }

    #[test]
    fn every_problem_is_reported_together() {
        let mut i = filled();
        i.name = " ".into();
        i.time_zone = "Mars/Olympus".into();
        i.website = "lakeside.example".into();
        i.reply_to = "not an address".into();
        let fields: Vec<&str> = i.check().unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["name", "time_zone", "reply_to", "website"]);
    }

    #[test]
    fn control_characters_and_long_values_are_refused() {
        let mut i = filled();
        i.city = "Lake\u{0}side".into();
        i.phone = "5".repeat(41);
        let fields: Vec<&str> = i.check().unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["city", "phone"]);
    }

    #[test]
    fn accounts_need_an_address_a_name_and_a_known_role() {
        let input = AccountInput {
            email: " A.Rivera@Lakeside.example ".into(),
            full_name: "Ana Rivera".into(),
            role: "officer".into(),
            rank: " Sergeant ".into(),
            badge_number: "".into(),
        };
        let a = input.check(true).unwrap();
        assert_eq!(a.email, "a.rivera@lakeside.example");
        assert_eq!(a.rank.as_deref(), Some("Sergeant"));
        assert_eq!(a.badge_number, None);
        let bad = AccountInput {
            email: "nobody".into(),
            role: "chief".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = bad.check(true).unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["email", "full_name", "role"]);
        // Editing keeps the address: a missing one is no problem then.
        let edit = AccountInput {
            email: String::new(),
            ..input
        };
        assert!(edit.check(false).is_ok());
    }

    #[test]
    fn unit_slugs_are_address_safe() {
        assert_eq!(unit_slug("K-9 Unit"), "k-9-unit");
        assert_eq!(unit_slug("  Drones & Aviation "), "drones-aviation");
        assert_eq!(unit_slug("!!!"), "unit");
    }

    #[test]
    fn the_last_administrator_stays() {
        assert!(account_change_refusal(true, false, false, 1).is_some());
        assert!(account_change_refusal(true, true, true, 1).is_some());
        assert!(account_change_refusal(true, false, false, 2).is_none());
        assert!(account_change_refusal(false, false, true, 1).is_none());
        assert!(account_change_refusal(true, true, false, 1).is_none());
    }

    #[test]
    fn the_checklist_is_done_only_when_every_step_is() {
        let mut f = SetupFacts::default();
        assert!(setup_pending(&f));
        assert!(checklist(&f).iter().all(|s| !s.done));
        f = SetupFacts {
            profile: true,
            reply_to: true,
            coordinators: 1,
            officers: 2,
            units: 3,
            programs: 1,
            classes: 1,
            holidays: 10,
        };
        assert!(!setup_pending(&f));
    }
}
