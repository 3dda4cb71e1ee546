//! Kinds of programs, staff roles and community duties.
//!
//! Stored as short lowercase codes (portable across SQLite and PostgreSQL, no enum
//! types); `code()` and `parse()` are the only translation between the two.

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Plain-language name shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Reads a stored code; `None` for anything unknown.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use coded_enum;

coded_enum! {
    /// What kind of community program this is; decides which later rules apply
    /// (a teen academy needs counselor nominations, DARE runs at schools, ...).
    ProgramKind {
        CitizenAcademy = "citizen_academy" / "Citizen academy",
        TeenAcademy = "teen_academy" / "Teen academy",
        Dare = "dare" / "DARE",
        ResourceOfficer = "resource_officer" / "School and college resource officers",
        NeighborhoodWatch = "neighborhood_watch" / "Neighborhood watch",
        TrafficEnforcement = "traffic_enforcement" / "Selective traffic enforcement",
    }
}

coded_enum! {
    /// What a staff account may do in the back office.
    Role {
        Admin = "admin" / "Administrator",
        Coordinator = "coordinator" / "Program coordinator",
        Officer = "officer" / "Officer",
        Counselor = "counselor" / "School counselor",
    }
}

coded_enum! {
    /// A community duty an officer holds for a period of time.
    Duty {
        DareInstructor = "dare_instructor" / "DARE instructor",
        SchoolResourceOfficer = "school_resource_officer" / "School resource officer",
        CollegeResourceOfficer = "college_resource_officer" / "College resource officer",
        FieldTrainingOfficer = "field_training_officer" / "Field training officer",
        Traffic = "traffic" / "Traffic officer",
    }
}

impl ProgramKind {
    /// Whether residents apply to this program's classes themselves (as opposed to
    /// being nominated by a school or reached in their classroom).
    pub fn open_to_public_applications(self) -> bool {
        matches!(self, ProgramKind::CitizenAcademy | ProgramKind::NeighborhoodWatch)
    }
}

/// Whether `s` can name a page in a web address: 2 to `max` lowercase letters, digits and
/// inner hyphens (programs, pages and advisories share the rule).
pub fn is_slug(s: &str, max: usize) -> bool {
    (2..=max).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A program's descriptive details as a coordinator enters them.
#[derive(Debug, Clone, Default)]
pub struct ProgramDetails {
    pub slug: String,
    pub name: String,
    pub summary: String,
    /// What to bring to each session, for the reminders (may be empty).
    pub what_to_bring: String,
    pub body_markdown: String,
    pub eligibility: super::Eligibility,
}

/// Longest program page body, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;

impl ProgramDetails {
    /// Checks the details; every problem is listed.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if !is_slug(&self.slug, 60) {
            errors.push(
                "The web address name must be 2 to 60 lowercase letters, digits or hyphens, like citizen-academy."
                    .into(),
            );
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            errors.push("Give the program a name of 1 to 100 characters.".into());
        }
        if self.summary.trim().is_empty() || self.summary.chars().count() > 300 {
            errors.push("Give a one-sentence summary of 1 to 300 characters.".into());
        }
        if self.what_to_bring.chars().count() > 300 {
            errors.push("Keep \"what to bring\" under 300 characters.".into());
        }
        if self.body_markdown.chars().count() > MAX_BODY_CHARS {
            errors.push(format!("Keep the page under {MAX_BODY_CHARS} characters."));
        }
        let e = &self.eligibility;
        if e.min_age.is_some_and(|a| a > 100) || e.max_age.is_some_and(|a| a > 120) {
            errors.push("Ages must be realistic (up to 100 for the youngest, 120 for the oldest).".into());
        }
        if let (Some(min), Some(max)) = (e.min_age, e.max_age)
            && min > max
        {
            errors.push("The youngest age allowed must not be above the oldest.".into());
        }
        if e.grades.iter().any(|g| !(1..=12).contains(g)) {
            errors.push("School grades are numbers from 1 to 12.".into());
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for k in ProgramKind::ALL {
            assert_eq!(ProgramKind::parse(k.code()), Some(*k));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(*r));
        }
        for d in Duty::ALL {
            assert_eq!(Duty::parse(d.code()), Some(*d));
        }
    }

    #[test]
    fn unknown_codes_are_rejected() {
        assert_eq!(ProgramKind::parse("Citizen_Academy"), None);
        assert_eq!(Role::parse(""), None);
        assert_eq!(Duty::parse("swat"), None);
    }

    #[test]
    fn serde_uses_the_stored_code() {
        let json = serde_json::to_string(&ProgramKind::TeenAcademy).unwrap();
        assert_eq!(json, "\"teen_academy\"");
    }

    #[test]
    fn program_details_are_checked() {
        let good = ProgramDetails {
            slug: "bike-patrol-academy".into(),
            name: "Bike Patrol Academy".into(),
            summary: "Ride with the bike unit.".into(),
            what_to_bring: "A helmet and water.".into(),
            body_markdown: "## What you learn".into(),
            eligibility: super::super::Eligibility {
                min_age: Some(16),
                max_age: Some(80),
                grades: vec![11, 12],
                ..Default::default()
            },
        };
        assert_eq!(good.validate(), Ok(()));
        let bad = ProgramDetails {
            slug: "Bike Patrol".into(),
            name: String::new(),
            summary: " ".into(),
            what_to_bring: "x".repeat(301),
            body_markdown: "x".repeat(MAX_BODY_CHARS + 1),
            eligibility: super::super::Eligibility {
                min_age: Some(30),
                max_age: Some(20),
                grades: vec![13],
                ..Default::default()
            },
        };
        assert_eq!(
            bad.validate().unwrap_err().len(),
            7,
            "each problem listed, what to bring too"
        );
    }
}

coded_enum! {
    /// The places and groups officers work with. Schools and colleges take part in school
    /// programs (nominations, DARE, resource officers); every kind counts in the activity
    /// log and the engagement report.
    PlaceKind {
        School = "school" / "School",
        College = "college" / "College",
        Business = "business" / "Business group",
        Neighborhood = "neighborhood" / "Neighborhood association",
        Faith = "faith" / "Faith group",
        Other = "other" / "Other organization",
    }
}

impl PlaceKind {
    /// Whether school programs (nominations, DARE, resource officers) can name it.
    pub fn is_school(self) -> bool {
        matches!(self, PlaceKind::School | PlaceKind::College)
    }
}
