//! Filtering a class roster: by status and by a few letters of a name, email or phone;
//! and reading it a page at a time, in queue order, from a cursor.

use super::{ApplicationId, ApplicationStatus};

/// Most rows one page of a roster holds; the default when the client names no limit.
pub const MAX_PAGE: i64 = 500;

/// Where the next page of a roster starts: after this place in the queue. Keyset paging,
/// so a page costs the same wherever it falls and rows added meanwhile are not skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub queue_rank: i64,
    pub id: ApplicationId,
}

impl Cursor {
    /// Before the first row.
    pub const START: Cursor = Cursor {
        queue_rank: i64::MIN,
        id: ApplicationId::new(i64::MIN),
    };

    /// Reads a cursor as [`Cursor::token`] wrote it; anything else is `None`.
    pub fn parse(token: &str) -> Option<Cursor> {
        let (rank, id) = token.split_once('.')?;
        Some(Cursor {
            queue_rank: rank.parse().ok()?,
            id: id.parse().ok()?,
        })
    }

    /// The cursor as a client passes it back (`after=`).
    pub fn token(self) -> String {
        format!("{}.{}", self.queue_rank, self.id)
    }
}

/// A page size asked for: 1 to [`MAX_PAGE`], [`MAX_PAGE`] when not given.
pub fn page_size(asked: Option<&str>) -> Option<i64> {
    page_size_within(asked, MAX_PAGE, MAX_PAGE)
}

/// A page size asked for of any keyset list: 1 to `max`, `default` when not given; `None`
/// when it is not such a number.
pub fn page_size_within(asked: Option<&str>, default: i64, max: i64) -> Option<i64> {
    match asked.map(str::trim) {
        None | Some("") => Some(default),
        Some(n) => n.parse().ok().filter(|n| (1..=max).contains(n)),
    }
}

/// Rows one screen of the staff roster shows.
pub const SCREEN_PAGE: usize = 100;

/// Rows one screen reads at most while searching by text: a search that matches rarely
/// in a large class stops here and offers to continue, so one page costs the same in a
/// class of 30 or of 100,000.
pub const SEARCH_BUDGET: usize = 2_000;

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
    fn cursors_read_back_and_junk_is_refused() {
        let c = Cursor {
            queue_rank: 42,
            id: ApplicationId::new(7),
        };
        assert_eq!(Cursor::parse(&c.token()), Some(c));
        for junk in ["", "42", "42.", ".7", "a.7", "42.x", "1.2.3"] {
            assert_eq!(Cursor::parse(junk), None, "{junk}");
        }
        assert_eq!(page_size(None), Some(MAX_PAGE));
        assert_eq!(page_size(Some("25")), Some(25));
        for bad in ["0", "-1", "501", "ten"] {
            assert_eq!(page_size(Some(bad)), None, "{bad}");
        }
    }

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
