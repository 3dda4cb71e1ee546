//! A program's eligibility settings, stored with the program as JSON.
//!
//! The catalog only describes them to residents ("who may join"); the application
//! rules that enforce them build on the same struct, so the page and the decision
//! can never disagree.

use serde::{Deserialize, Serialize};

use super::program::coded_enum;

coded_enum! {
    /// A tie to the city that qualifies someone for a program open to the community.
    /// `Member` means a named local faith, civic or business organization.
    Affiliation {
        Resides = "resides" / "lives in the city",
        Works = "works" / "works in the city",
        Studies = "studies" / "attends school in the city",
        Member = "member" / "belongs to a local faith, civic or business organization",
    }
}

/// Who may join a program. Every field is optional so a program can start with none
/// and add rules later without a schema change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Eligibility {
    /// Youngest age allowed, measured on the class's first day.
    pub min_age: Option<u8>,
    /// Oldest age allowed, measured on the class's first day.
    pub max_age: Option<u8>,
    /// Ties to the city that qualify; empty means anyone may apply.
    pub affiliations: Vec<Affiliation>,
    /// School grades accepted (teen programs), e.g. `[11, 12]`; empty means any.
    pub grades: Vec<u8>,
    /// A school counselor must nominate the student.
    pub counselor_nomination: bool,
    /// A parent or guardian must consent for applicants under 18.
    pub guardian_consent_for_minors: bool,
    /// Applicants go through a background check before their seat is confirmed.
    pub background_check: bool,
    /// Applicants must accept the program's liability waiver.
    pub waiver: bool,
    /// Staff review every application before the seat is confirmed.
    pub staff_review: bool,
}

impl Eligibility {
    /// Parses the stored JSON; unknown keys are an error so a typo never silently
    /// drops a rule.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Whether a new application waits for staff (review or background check) while
    /// its seat is held.
    pub fn requires_review(&self) -> bool {
        self.staff_review || self.background_check
    }

    /// The settings as stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("eligibility always serializes")
    }

    /// The rules in plain words, one sentence each, for the program page.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        match (self.min_age, self.max_age) {
            (Some(min), Some(max)) => lines.push(format!(
                "You must be {min} to {max} years old on the first day of class."
            )),
            (Some(min), None) => lines.push(format!("You must be {min} or older on the first day of class.")),
            (None, Some(max)) => lines.push(format!("You must be {max} or younger on the first day of class.")),
            (None, None) => {}
        }
        if !self.affiliations.is_empty() {
            let ties: Vec<&str> = self.affiliations.iter().map(|a| a.label()).collect();
            lines.push(format!("Open to anyone who {}.", join_or(&ties)));
        }
        if !self.grades.is_empty() {
            let grades: Vec<String> = self.grades.iter().map(|g| ordinal(*g)).collect();
            let grades: Vec<&str> = grades.iter().map(String::as_str).collect();
            lines.push(format!("For students in {} grade.", join_or(&grades)));
        }
        if self.counselor_nomination {
            lines.push("Students are selected and nominated by their school counselor.".into());
        }
        if self.guardian_consent_for_minors {
            lines.push("A parent or guardian gives consent for students under 18.".into());
        }
        if self.background_check {
            lines.push("Applicants complete a background check before their seat is confirmed.".into());
        }
        if self.staff_review {
            lines.push("Staff review each application before confirming a seat.".into());
        }
        if self.waiver {
            lines.push("Applicants accept the program's waiver when they apply.".into());
        }
        if lines.is_empty() {
            lines.push("Anyone may join.".into());
        }
        lines
    }
}

/// The places that count as living in the city: the city itself, then each line (or
/// comma-separated entry) of the service area: neighborhoods, other towns served, ZIP codes.
pub fn service_places(city: &str, service_area: &str) -> Vec<String> {
    let mut places: Vec<String> = Vec::new();
    for p in std::iter::once(city).chain(service_area.split(['\n', ','])) {
        let p = p.trim();
        if !p.is_empty() && !places.iter().any(|q| q.eq_ignore_ascii_case(p)) {
            places.push(p.to_string());
        }
    }
    places
}

/// Whether what an applicant wrote as their city (or ZIP code, possibly ZIP+4) names a
/// place the department serves. Case and surrounding spaces do not matter.
pub fn in_service_area(answer: &str, places: &[String]) -> bool {
    let answer = answer.trim();
    let zip = answer.split('-').next().unwrap_or(answer);
    places.iter().any(|p| {
        p.eq_ignore_ascii_case(answer) || (zip.len() == 5 && zip.bytes().all(|b| b.is_ascii_digit()) && p == zip)
    })
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

fn ordinal(n: u8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_area_counts_the_city_its_places_and_zip_codes() {
        let places = service_places("Harbor Point", "South Harbor\n93990, 93991\n\nharbor point");
        assert_eq!(places, ["Harbor Point", "South Harbor", "93990", "93991"]);
        assert!(in_service_area(" harbor point ", &places));
        assert!(in_service_area("SOUTH HARBOR", &places));
        assert!(in_service_area("93991", &places));
        assert!(in_service_area("93990-1234", &places));
        assert!(!in_service_area("93992", &places));
        assert!(!in_service_area("Harbor", &places));
        assert!(!in_service_area("", &places));
    }

    #[test]
    fn empty_settings_admit_anyone() {
        assert_eq!(Eligibility::default().describe(), vec!["Anyone may join.".to_string()]);
    }

    #[test]
    fn citizen_academy_rules_read_as_sentences() {
        let e = Eligibility {
            min_age: Some(18),
            affiliations: vec![Affiliation::Resides, Affiliation::Works, Affiliation::Member],
            background_check: true,
            ..Default::default()
        };
        let lines = e.describe();
        assert_eq!(lines[0], "You must be 18 or older on the first day of class.");
        assert_eq!(
            lines[1],
            "Open to anyone who lives in the city, works in the city, or belongs to a local faith, civic or business organization."
        );
        assert!(lines[2].contains("background check"));
    }

    #[test]
    fn grades_use_ordinals() {
        let e = Eligibility {
            grades: vec![11, 12],
            ..Default::default()
        };
        assert_eq!(e.describe(), vec!["For students in 11th or 12th grade.".to_string()]);
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
    }

    #[test]
    fn json_round_trips_and_rejects_unknown_keys() {
        let e = Eligibility {
            min_age: Some(15),
            max_age: Some(18),
            grades: vec![11, 12],
            ..Default::default()
        };
        assert_eq!(Eligibility::from_json(&e.to_json()).unwrap(), e);
        assert!(Eligibility::from_json(r#"{"min_agee": 3}"#).is_err());
        assert_eq!(Eligibility::from_json("{}").unwrap(), Eligibility::default());
    }
}
