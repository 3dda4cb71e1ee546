//! Filtering a class roster: by status and by a few letters of a name, email or phone.

use super::ApplicationStatus;

/// What a coordinator asked to see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterFilter {
    pub status: Option<ApplicationStatus>,
    /// Lowercased search text; empty matches everyone.
    pub text: String,
}

impl RosterFilter {
    /// Reads the query; an unknown status means "any", so an old bookmark still works.
    pub fn new(status: &str, text: &str) -> Self {
        RosterFilter {
            status: ApplicationStatus::parse(status.trim()),
            text: text.trim().to_lowercase(),
        }
    }

    pub fn is_active(&self) -> bool {
        self.status.is_some() || !self.text.is_empty()
    }

    /// Whether one roster row is shown. Phone numbers match on their digits, so
    /// "5550101" finds "(555) 010-1".
    pub fn matches(&self, status: &str, fields: &[&str], phone: &str) -> bool {
        if self.status.is_some_and(|s| s.code() != status) {
            return false;
        }
        if self.text.is_empty() {
            return true;
        }
        let words_match = self
            .text
            .split_whitespace()
            .all(|word| fields.iter().any(|f| f.to_lowercase().contains(word)));
        let digits: String = self.text.chars().filter(char::is_ascii_digit).collect();
        let phone_digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        words_match || (digits.len() >= 3 && phone_digits.contains(&digits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_by_status_and_text() {
        let row =
            |f: &RosterFilter| f.matches("waitlisted", &["Ana", "Lima", "ana.lima@example.org"], "(555) 010-2233");
        assert!(row(&RosterFilter::default()));
        assert!(row(&RosterFilter::new("waitlisted", "")));
        assert!(!row(&RosterFilter::new("confirmed", "")));
        assert!(row(&RosterFilter::new("", "ana lima")));
        assert!(row(&RosterFilter::new("", "LIMA@example")));
        assert!(!row(&RosterFilter::new("", "ana silva")));
        assert!(row(&RosterFilter::new("", "010-22")), "phone digits");
        assert!(!row(&RosterFilter::new("", "55")), "too few digits to mean a phone");
        assert!(row(&RosterFilter::new("nonsense", "")), "unknown status: any");
        assert!(!RosterFilter::new("nonsense", " ").is_active());
    }
}
