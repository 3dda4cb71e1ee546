//! Teen academy nominations: a school counselor proposes juniors and seniors for the
//! semester's cohort, the coordinator accepts or declines, a guardian consents, and only
//! then is the student confirmed.

use serde::{Deserialize, Serialize};

use super::application::looks_like_email;
use super::ids::SchoolId;
use super::program::Role;
use super::program::coded_enum;

coded_enum! {
    /// Where a nomination stands.
    NominationStatus {
        Nominated = "nominated" / "Nominated",
        Accepted = "accepted" / "Accepted, waiting for guardian consent",
        Confirmed = "confirmed" / "Confirmed",
        Declined = "declined" / "Declined",
        Withdrawn = "withdrawn" / "Withdrawn",
    }
}

/// Grades the teen academy takes: juniors and seniors.
pub const GRADES: [u8; 2] = [11, 12];

/// The version of the consent text a guardian signs; stored with each consent so the
/// department can show exactly what was agreed to.
pub const CONSENT_TEXT_VERSION: &str = "2026-11";

/// How long a guardian's consent link works.
pub const CONSENT_LINK_DAYS: i64 = 14;

/// When a cohort's minors' personal details are due for erasure: `months` after its last
/// session, counted on the department's calendar.
pub fn erasure_due_at(last_session: jiff::Timestamp, months: u16, tz: &jiff::tz::TimeZone) -> Option<jiff::Timestamp> {
    last_session
        .to_zoned(tz.clone())
        .checked_add(jiff::Span::new().months(i64::from(months)))
        .ok()
        .map(|z| z.timestamp())
}

/// A nomination as a counselor enters it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct NominationInput {
    pub school_id: String,
    pub first_name: String,
    pub last_name: String,
    pub grade: String,
    pub student_number: String,
    pub guardian_name: String,
    pub guardian_email: String,
}

/// A checked nomination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nomination {
    pub first_name: String,
    pub last_name: String,
    pub grade: u8,
    pub student_number: String,
    pub guardian_name: String,
    pub guardian_email: String,
}

impl NominationInput {
    /// Checks every field; all problems are listed, each with its field name.
    pub fn validate(&self) -> Result<Nomination, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let text = |v: &str, field: &'static str, what: &str, max: usize, errors: &mut Vec<(&'static str, String)>| {
            let v = v.trim();
            if v.is_empty() || v.chars().count() > max {
                errors.push((field, format!("Enter the {what} (up to {max} characters).")));
            }
            v.to_string()
        };
        let first_name = text(&self.first_name, "first_name", "student's first name", 60, &mut errors);
        let last_name = text(&self.last_name, "last_name", "student's last name", 60, &mut errors);
        let student_number = text(
            &self.student_number,
            "student_number",
            "school's student ID",
            30,
            &mut errors,
        );
        let guardian_name = text(
            &self.guardian_name,
            "guardian_name",
            "guardian's name",
            120,
            &mut errors,
        );
        let grade = match self.grade.trim().parse::<u8>() {
            Ok(g) if GRADES.contains(&g) => g,
            _ => {
                errors.push((
                    "grade",
                    "The academy takes juniors and seniors: choose grade 11 or 12.".to_string(),
                ));
                0
            }
        };
        let guardian_email = self.guardian_email.trim().to_string();
        if !looks_like_email(&guardian_email) {
            errors.push((
                "guardian_email",
                "Enter the guardian's email address, like name@example.com.".to_string(),
            ));
        }
        if errors.is_empty() {
            Ok(Nomination {
                first_name,
                last_name,
                grade,
                student_number,
                guardian_name,
                guardian_email,
            })
        } else {
            Err(errors)
        }
    }
}

/// Whether a school may add one more nomination: `quota` is the coordinator's limit for
/// the school in this cohort (none: no limit); `active` counts nominations not declined or
/// withdrawn.
pub fn within_quota(quota: Option<i64>, active: i64) -> bool {
    quota.is_none_or(|q| active < q)
}

/// School credit a student earns for completing a semester cohort (a half-credit
/// elective, the usual value in the district the demo describes).
pub const CREDITS_FOR_COMPLETION: &str = "0.5";

/// The credit report's verdict columns for one student: completed, and credits awarded.
/// `None` while the coordinator has not confirmed graduation.
pub fn credit(completed: Option<bool>) -> (&'static str, &'static str) {
    match completed {
        Some(true) => ("yes", CREDITS_FOR_COMPLETION),
        Some(false) => ("no", "0"),
        None => ("not decided yet", ""),
    }
}

/// Why a nomination cannot move as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotPending,
    NotAccepted,
    NoConsent,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NotPending => "Only a nomination waiting for a decision can be accepted or declined.",
            Refusal::NotAccepted => "Accept the nomination first.",
            Refusal::NoConsent => "A student cannot be confirmed before a guardian consents.",
        }
    }
}

/// The coordinator's decision on a nomination.
pub fn may_decide(status: NominationStatus) -> Result<(), Refusal> {
    if status == NominationStatus::Nominated {
        Ok(())
    } else {
        Err(Refusal::NotPending)
    }
}

/// Confirming needs an accepted nomination and a guardian's consent.
pub fn may_confirm(status: NominationStatus, consented: bool) -> Result<(), Refusal> {
    match (status, consented) {
        (NominationStatus::Accepted, true) => Ok(()),
        (NominationStatus::Accepted, false) => Err(Refusal::NoConsent),
        _ => Err(Refusal::NotAccepted),
    }
}

/// A guardian's signature: the typed name must be a real name, not a checkbox tick.
pub fn check_signature(typed: &str) -> Result<String, String> {
    let typed = typed.trim();
    if typed.chars().filter(|c| c.is_alphabetic()).count() < 2 || typed.chars().count() > 120 {
        Err("Type your full name to sign.".to_string())
    } else {
        Ok(typed.to_string())
    }
}

/// What a guardian gives with their consent: who to call in an emergency during a
/// session, and medical notes the instructors should know (sensitive: only the roles the
/// department names see them; erased with the rest of the minor's details).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardianAnswers {
    pub emergency_name: String,
    pub emergency_phone: String,
    pub medical_notes: String,
}

/// The longest medical note kept.
pub const MAX_MEDICAL_NOTES: usize = 1000;

/// Checks the emergency contact (required) and medical notes (optional).
pub fn check_guardian_answers(name: &str, phone: &str, notes: &str) -> Result<GuardianAnswers, String> {
    let (name, phone, notes) = (name.trim(), phone.trim(), notes.trim());
    if name.chars().filter(|c| c.is_alphabetic()).count() < 2 || name.chars().count() > 120 {
        return Err("Name someone we can call in an emergency during a session.".into());
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(7..=15).contains(&digits) || phone.chars().count() > 40 {
        return Err("Give the emergency contact's phone number, like (555) 010-1234.".into());
    }
    if notes.chars().count() > MAX_MEDICAL_NOTES {
        return Err(format!("Keep the medical notes under {MAX_MEDICAL_NOTES} characters."));
    }
    Ok(GuardianAnswers {
        emergency_name: name.to_string(),
        emergency_phone: phone.to_string(),
        medical_notes: notes.to_string(),
    })
}

/// Which schools' nominations a staff member may see and act on. Coordinators and
/// administrators handle every school, a counselor only the schools they work for, an
/// officer none. Pages, reports and the store's reads all go through this one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Every,
    Schools(Vec<SchoolId>),
    Nothing,
}

impl Scope {
    /// The scope of `role`; `own_schools` matters only for counselors.
    pub fn of(role: Role, own_schools: Vec<SchoolId>) -> Scope {
        match role {
            Role::Admin | Role::Coordinator => Scope::Every,
            Role::Counselor => Scope::Schools(own_schools),
            Role::Officer => Scope::Nothing,
        }
    }

    /// Whether the scope includes `school`.
    pub fn covers(&self, school: SchoolId) -> bool {
        match self {
            Scope::Every => true,
            Scope::Schools(ids) => ids.contains(&school),
            Scope::Nothing => false,
        }
    }

    /// The schools to read, as a filter: `None` for every school.
    pub fn schools(&self) -> Option<&[SchoolId]> {
        match self {
            Scope::Every => None,
            Scope::Schools(ids) => Some(ids),
            Scope::Nothing => Some(&[]),
        }
    }
}

/// Whether `role` sees a guardian's medical notes: only the roles the department's settings
/// name for sensitive fields, and never counselors, who see their students' nominations but
/// not what the family told the department. The emergency contact is not sensitive: staff
/// who run the cohort need it on the day.
pub fn sees_guardian_answers(role: Role, named: &[Role]) -> bool {
    role != Role::Counselor && named.contains(&role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_sees_which_schools_nominations() {
        let school = SchoolId::new;
        let counselor = Scope::of(Role::Counselor, vec![school(1), school(2)]);
        assert!(counselor.covers(school(2)) && !counselor.covers(school(3)));
        assert_eq!(counselor.schools(), Some(&[school(1), school(2)][..]));
        // A counselor with no school yet sees nothing rather than everything.
        assert!(!Scope::of(Role::Counselor, vec![]).covers(school(1)));
        assert!(Scope::of(Role::Coordinator, vec![]).covers(school(3)));
        assert_eq!(Scope::of(Role::Admin, vec![]).schools(), None);
        let officer = Scope::of(Role::Officer, vec![school(3)]);
        assert!(!officer.covers(school(3)));
        assert_eq!(officer.schools(), Some(&[][..]));
    }

    #[test]
    fn guardian_answers_only_for_named_roles_and_never_counselors() {
        assert!(sees_guardian_answers(Role::Admin, &[Role::Admin]));
        assert!(!sees_guardian_answers(Role::Coordinator, &[Role::Admin]));
        assert!(!sees_guardian_answers(Role::Counselor, &[Role::Counselor]));
    }

    #[test]
    fn guardians_name_an_emergency_contact_and_may_add_notes() {
        let a = check_guardian_answers(" Elena Ortiz ", "(555) 010-2233", " Asthma; carries an inhaler. ").unwrap();
        assert_eq!(a.emergency_name, "Elena Ortiz");
        assert_eq!(a.medical_notes, "Asthma; carries an inhaler.");
        assert!(check_guardian_answers("", "(555) 010-2233", "").is_err());
        assert!(check_guardian_answers("Elena Ortiz", "call me", "").is_err());
        assert!(check_guardian_answers("Elena Ortiz", "555 010 2233", &"x".repeat(1001)).is_err());
        assert!(check_guardian_answers("Elena Ortiz", "555 010 2233", "").is_ok());
    }

    fn input(grade: &str) -> NominationInput {
        NominationInput {
            school_id: "1".into(),
            first_name: "Maya".into(),
            last_name: "Ortiz".into(),
            grade: grade.into(),
            student_number: "HP-20931".into(),
            guardian_name: "Elena Ortiz".into(),
            guardian_email: "elena.ortiz@example.org".into(),
        }
    }

    #[test]
    fn only_juniors_and_seniors() {
        assert_eq!(input("11").validate().unwrap().grade, 11);
        assert_eq!(input("12").validate().unwrap().grade, 12);
        for bad in ["10", "13", "9", "eleven", "", "-11"] {
            let errors = input(bad).validate().unwrap_err();
            assert_eq!(errors.len(), 1, "{bad}");
            assert_eq!(errors[0].0, "grade");
        }
    }

    #[test]
    fn every_missing_field_is_listed() {
        let errors = NominationInput::default().validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.0).collect();
        assert_eq!(
            fields,
            [
                "first_name",
                "last_name",
                "student_number",
                "guardian_name",
                "grade",
                "guardian_email"
            ]
        );
    }

    #[test]
    fn quotas() {
        assert!(within_quota(None, 100));
        assert!(within_quota(Some(3), 2));
        assert!(!within_quota(Some(3), 3));
        assert!(!within_quota(Some(0), 0));
    }

    #[test]
    fn consent_comes_before_confirmation() {
        use NominationStatus::*;
        assert_eq!(may_confirm(Accepted, true), Ok(()));
        assert_eq!(may_confirm(Accepted, false), Err(Refusal::NoConsent));
        assert_eq!(may_confirm(Nominated, true), Err(Refusal::NotAccepted));
        assert_eq!(may_confirm(Confirmed, true), Err(Refusal::NotAccepted));
        assert_eq!(may_decide(Nominated), Ok(()));
        assert_eq!(may_decide(Declined), Err(Refusal::NotPending));
    }

    #[test]
    fn a_signature_is_a_typed_name() {
        assert_eq!(check_signature("  Elena Ortiz "), Ok("Elena Ortiz".into()));
        assert!(check_signature("x").is_err());
        assert!(check_signature("12345").is_err());
        assert!(check_signature(&"a".repeat(121)).is_err());
    }

    #[test]
    fn erasure_falls_due_months_after_the_last_session() {
        let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        let last: jiff::Timestamp = "2026-12-04T04:00:00Z".parse().unwrap(); // Dec 3, 20:00 local
        let due = erasure_due_at(last, 12, &tz).unwrap();
        assert_eq!(due.to_string(), "2027-12-04T04:00:00Z");
        // Across a DST change the local time stays the same.
        let june = erasure_due_at(last, 6, &tz).unwrap();
        assert_eq!(june.to_string(), "2027-06-04T03:00:00Z");
        assert_eq!(erasure_due_at(last, 0, &tz), Some(last));
    }

    #[test]
    fn credits_follow_completion() {
        assert_eq!(credit(Some(true)), ("yes", "0.5"));
        assert_eq!(credit(Some(false)), ("no", "0"));
        assert_eq!(credit(None), ("not decided yet", ""));
    }
}
