//! An application to a class: checking what was typed, deciding eligibility, and
//! placing it (seat, review hold, waitlist, lottery entry).
//!
//! Every failed rule is reported, not only the first, each tied to the form field it
//! concerns, so a resident can fix everything in one go.
//!
//! Kept whole: the checks, eligibility and placement are one unit (placement uses the
//! checked input); about a third of the file is their unit tests.

use std::borrow::Cow;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::eligibility::{Affiliation, Eligibility};
use super::program::coded_enum;

coded_enum! {
    /// Where an application stands.
    ApplicationStatus {
        Entered = "entered" / "Entered in the lottery",
        PendingReview = "pending_review" / "Seat held, under review",
        Confirmed = "confirmed" / "Confirmed",
        Waitlisted = "waitlisted" / "On the waitlist",
        Offered = "offered" / "Seat offered",
        Withdrawn = "withdrawn" / "Withdrawn",
        Declined = "declined" / "Offer declined",
        Expired = "expired" / "Offer expired",
        Denied = "denied" / "Not accepted",
        Completed = "completed" / "Graduated",
        NotCompleted = "not_completed" / "Did not complete",
    }
}

coded_enum! {
    /// Where an applicant's background check stands. Visible to reviewers only.
    BackgroundCheck {
        NotStarted = "not_started" / "Not started",
        InProgress = "in_progress" / "In progress",
        Cleared = "cleared" / "Cleared",
        NotCleared = "not_cleared" / "Not cleared",
    }
}

/// A reviewer's decision on a pending application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Deny { reason: String },
}

/// Whether a pending application may be approved: a program that requires a background
/// check needs it cleared first.
pub fn may_approve(requires_background_check: bool, check: BackgroundCheck) -> Result<(), &'static str> {
    if requires_background_check && check != BackgroundCheck::Cleared {
        Err("The background check must be cleared before the application can be approved.")
    } else {
        Ok(())
    }
}

impl ApplicationStatus {
    /// Statuses that occupy a seat of the class. A review or an open offer keeps its seat
    /// so it cannot be given away twice while someone decides.
    pub const HOLDING_SEAT: &'static [ApplicationStatus] = &[
        ApplicationStatus::PendingReview,
        ApplicationStatus::Confirmed,
        ApplicationStatus::Offered,
        ApplicationStatus::Completed,
        ApplicationStatus::NotCompleted,
    ];

    /// Whether this status occupies a seat.
    pub fn holds_seat(self) -> bool {
        Self::HOLDING_SEAT.contains(&self)
    }

    /// Statuses the applicant may still withdraw from.
    pub const WITHDRAWABLE: &'static [ApplicationStatus] = &[
        ApplicationStatus::Entered,
        ApplicationStatus::PendingReview,
        ApplicationStatus::Confirmed,
        ApplicationStatus::Waitlisted,
        ApplicationStatus::Offered,
    ];

    /// Whether the applicant may still withdraw.
    pub fn can_withdraw(self) -> bool {
        Self::WITHDRAWABLE.contains(&self)
    }
}

/// How long a resident has to take back a withdrawal. Their place (seat, waitlist
/// position, lottery entry) is kept meanwhile; a mistaken tap on a phone costs nothing.
pub const WITHDRAW_GRACE: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// When a withdrawal asked for at `now` takes effect.
pub fn withdrawal_takes_effect(now: jiff::Timestamp) -> jiff::Timestamp {
    now.checked_add(WITHDRAW_GRACE).unwrap_or(now)
}

/// One broken rule, in words, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RuleFailure {
    /// Stable name of the rule, e.g. `min_age`, `email_format`.
    pub rule: &'static str,
    /// The input field to fix (`date_of_birth`, `affiliation`, `answers.12`, ...).
    pub field: Cow<'static, str>,
    /// What is wrong, in plain words.
    pub message: String,
}

impl RuleFailure {
    /// A failure of `rule` on `field`: a fixed field name, or one made up at run time
    /// (a program's own question, `answers.12`).
    pub fn new(rule: &'static str, field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        RuleFailure {
            rule,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What the applicant claims as a tie to the city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AffiliationInput {
    /// `resides`, `works`, `studies` or `member`.
    pub kind: String,
    /// Name of the organization, for `member`.
    #[serde(default)]
    pub organization: Option<String>,
}

/// Someone to call in an emergency during a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyContactInput {
    pub name: String,
    pub phone: String,
}

/// An application as typed, before any check. The API and the form both produce it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    pub city: String,
    pub affiliation: Option<AffiliationInput>,
    pub emergency_contact: Option<EmergencyContactInput>,
    pub waiver_accepted: bool,
    /// Answers to the program's own questions (see the program's `questions`), keyed by
    /// question id. Left out when the program asks none.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub answers: std::collections::BTreeMap<String, super::questions::AnswerIn>,
}

/// A checked applicant: every field present and well formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub date_of_birth: Date,
    pub city: String,
    pub affiliation: Affiliation,
    pub organization: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub waiver_accepted: bool,
}

const MAX_TEXT: usize = 200;

fn required(failures: &mut Vec<RuleFailure>, field: &'static str, label: &str, value: &str) -> String {
    let v = value.trim();
    if v.is_empty() {
        failures.push(RuleFailure::new("required", field, format!("Enter your {label}.")));
    } else if v.chars().count() > MAX_TEXT {
        failures.push(RuleFailure::new(
            "too_long",
            field,
            format!("Your {label} must be at most {MAX_TEXT} characters."),
        ));
    } else if v.chars().any(char::is_control) {
        failures.push(RuleFailure::new(
            "invalid_characters",
            field,
            format!("Your {label} contains characters we cannot accept."),
        ));
    }
    v.to_string()
}

/// A deliberately simple email check: one `@`, something on both sides, a dot in the
/// domain, no spaces. Delivery is what really proves an address.
pub fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
        && !domain.contains('@')
        && email.len() <= 254
}

/// The comparison form of an email: trimmed and lowercased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The comparison form of a person: lowercased name words and date of birth, so the
/// same person typed twice with different spacing or case is caught.
pub fn person_key(first: &str, last: &str, dob: Date) -> String {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    format!("{}|{}|{dob}", norm(first), norm(last))
}

fn phone_ok(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits) && phone.chars().all(|c| c.is_ascii_digit() || " +-().x".contains(c))
}

impl ApplicationInput {
    /// Checks form: every field present and well formed. `today` bounds the birth date.
    pub fn validate(&self, today: Date) -> Result<Applicant, Vec<RuleFailure>> {
        let mut f = Vec::new();
        let first_name = required(&mut f, "first_name", "first name", &self.first_name);
        let last_name = required(&mut f, "last_name", "last name", &self.last_name);
        let email = required(&mut f, "email", "email address", &self.email);
        if !email.is_empty() && !looks_like_email(&email) {
            f.push(RuleFailure::new(
                "email_format",
                "email",
                "Enter an email address like name@example.com.",
            ));
        }
        let phone = required(&mut f, "phone", "phone number", &self.phone);
        if !phone.is_empty() && !phone_ok(&phone) {
            f.push(RuleFailure::new(
                "phone_format",
                "phone",
                "Enter a phone number with 7 to 15 digits.",
            ));
        }
        let dob_text = required(&mut f, "date_of_birth", "date of birth", &self.date_of_birth);
        let date_of_birth = if dob_text.is_empty() {
            None
        } else {
            match dob_text.parse::<Date>() {
                Ok(d) if d >= today => {
                    f.push(RuleFailure::new(
                        "date_of_birth_future",
                        "date_of_birth",
                        "Your date of birth must be in the past.",
                    ));
                    None
                }
                Ok(d) if d.year() < 1900 => {
                    f.push(RuleFailure::new(
                        "date_of_birth_range",
                        "date_of_birth",
                        "Check the year of your date of birth.",
                    ));
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    f.push(RuleFailure::new(
                        "date_format",
                        "date_of_birth",
                        "Enter your date of birth as year-month-day, for example 1985-04-23.",
                    ));
                    None
                }
            }
        };
        let city = required(&mut f, "city", "city", &self.city);
        let (affiliation, organization) = match &self.affiliation {
            None => {
                f.push(RuleFailure::new(
                    "required",
                    "affiliation",
                    "Choose how you are connected to the city.",
                ));
                (None, String::new())
            }
            Some(a) => {
                let org = a.organization.as_deref().unwrap_or("").trim().to_string();
                match Affiliation::parse(a.kind.trim()) {
                    None => {
                        f.push(RuleFailure::new(
                            "affiliation_kind",
                            "affiliation",
                            "Choose one of: lives, works or studies in the city, or member of a local organization.",
                        ));
                        (None, org)
                    }
                    Some(Affiliation::Member) if org.is_empty() => {
                        f.push(RuleFailure::new(
                            "organization_required",
                            "organization",
                            "Name the local organization you belong to.",
                        ));
                        (None, org)
                    }
                    Some(_) if org.chars().count() > MAX_TEXT => {
                        f.push(RuleFailure::new(
                            "too_long",
                            "organization",
                            "The organization name is too long.",
                        ));
                        (None, org)
                    }
                    Some(kind) => (Some(kind), org),
                }
            }
        };
        let (emergency_name, emergency_phone) = match &self.emergency_contact {
            None => {
                f.push(RuleFailure::new(
                    "required",
                    "emergency_name",
                    "Enter an emergency contact's name.",
                ));
                f.push(RuleFailure::new(
                    "required",
                    "emergency_phone",
                    "Enter an emergency contact's phone number.",
                ));
                (String::new(), String::new())
            }
            Some(e) => {
                let name = required(&mut f, "emergency_name", "emergency contact's name", &e.name);
                let phone = required(&mut f, "emergency_phone", "emergency contact's phone number", &e.phone);
                if !phone.is_empty() && !phone_ok(&phone) {
                    f.push(RuleFailure::new(
                        "phone_format",
                        "emergency_phone",
                        "Enter the emergency contact's phone number with 7 to 15 digits.",
                    ));
                }
                (name, phone)
            }
        };
        match (f.is_empty(), date_of_birth, affiliation) {
            (true, Some(date_of_birth), Some(affiliation)) => Ok(Applicant {
                first_name,
                last_name,
                email,
                phone,
                date_of_birth,
                city,
                affiliation,
                organization,
                emergency_name,
                emergency_phone,
                waiver_accepted: self.waiver_accepted,
            }),
            _ => Err(f),
        }
    }
}

/// Whole years between `dob` and `day` (a birthday on `day` counts).
pub fn age_on(dob: Date, day: Date) -> i16 {
    let mut age = day.year() - dob.year();
    if (day.month(), day.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

/// What the rules need to know about the class and the department.
pub struct ClassFacts<'a> {
    pub eligibility: &'a Eligibility,
    /// The first session's local date; ages are measured on it.
    pub first_day: Option<Date>,
    /// The places that count for the "lives in the city" claim: the department's city
    /// first, then its service area.
    pub service_area: &'a [String],
}

/// The program's rules applied to a checked applicant; empty means eligible.
pub fn check_eligibility(a: &Applicant, facts: &ClassFacts<'_>, today: Date) -> Vec<RuleFailure> {
    let rules = facts.eligibility;
    let mut f = Vec::new();
    let day = facts.first_day.unwrap_or(today);
    let age = age_on(a.date_of_birth, day);
    if let Some(min) = rules.min_age
        && age < i16::from(min)
    {
        f.push(RuleFailure::new(
            "min_age",
            "date_of_birth",
            format!("You must be at least {min} on the first day of class ({day}); you would be {age}."),
        ));
    }
    if let Some(max) = rules.max_age
        && age > i16::from(max)
    {
        f.push(RuleFailure::new(
            "max_age",
            "date_of_birth",
            format!("This program is for people up to {max} on the first day of class ({day}); you would be {age}."),
        ));
    }
    if !rules.affiliations.is_empty() && !rules.affiliations.contains(&a.affiliation) {
        let accepted: Vec<&str> = rules.affiliations.iter().map(|x| x.label()).collect();
        f.push(RuleFailure::new(
            "affiliation",
            "affiliation",
            format!("This program is open to people who {}.", accepted.join("; ")),
        ));
    }
    if a.affiliation == Affiliation::Resides
        && !crate::domain::eligibility::in_service_area(&a.city, facts.service_area)
    {
        let places = facts.service_area.join(", ");
        f.push(RuleFailure::new(
            "residence_city",
            "city",
            format!(
                "You chose \"lives in the city\", so your city or ZIP code must be one the department serves: {places}."
            ),
        ));
    }
    if rules.waiver && !a.waiver_accepted {
        f.push(RuleFailure::new(
            "waiver",
            "waiver_accepted",
            "Accept the waiver to apply.",
        ));
    }
    f
}

/// How a class gives out its seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// In order of arrival.
    FirstCome,
    /// By a verifiable draw when registration closes.
    Lottery,
}

impl Allocation {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Allocation::FirstCome => "first_come",
            Allocation::Lottery => "lottery",
        }
    }
    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "first_come" => Some(Allocation::FirstCome),
            "lottery" => Some(Allocation::Lottery),
            _ => None,
        }
    }
}

/// Where a new application goes, given the seats already held.
///
/// `capacity` is what this channel may fill: online applications leave the seats held
/// back for staff-entered ones.
pub fn place(allocation: Allocation, capacity: i64, seats_held: i64, requires_review: bool) -> ApplicationStatus {
    match allocation {
        Allocation::Lottery => ApplicationStatus::Entered,
        Allocation::FirstCome if seats_held < capacity => {
            if requires_review {
                ApplicationStatus::PendingReview
            } else {
                ApplicationStatus::Confirmed
            }
        }
        Allocation::FirstCome => ApplicationStatus::Waitlisted,
    }
}

/// What applying now would do, announced at the top of a class page so nobody fills in
/// the form believing they get a seat when they join a waitlist or a draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyPrompt {
    pub headline: &'static str,
    pub detail: &'static str,
    /// The primary action's words.
    pub action: &'static str,
    /// Whether the applicant joins the waitlist.
    pub waitlist: bool,
}

/// The prompt for a class with `seats_left` seats open to online applicants, from the
/// same placement rule the registrar applies.
pub fn apply_prompt(allocation: Allocation, seats_left: i64, requires_review: bool) -> ApplyPrompt {
    let seat = |detail| ApplyPrompt {
        headline: "Seats are open",
        detail,
        action: "Apply for a seat",
        waitlist: false,
    };
    match place(allocation, seats_left.max(0), 0, requires_review) {
        ApplicationStatus::Entered => ApplyPrompt {
            headline: "Seats are drawn by lottery",
            detail: "Apply before registration closes to enter the draw. Everyone who applies in time has the same chance.",
            action: "Enter the lottery",
            waitlist: false,
        },
        ApplicationStatus::PendingReview => {
            seat("Apply and a seat is held for you while the department reviews your application.")
        }
        ApplicationStatus::Waitlisted => ApplyPrompt {
            headline: "This class is full",
            detail: "You can still apply: you join the waitlist, and we email you if a seat opens.",
            action: "Join the waitlist",
            waitlist: true,
        },
        _ => seat("Apply and a seat is yours at once; we email you a confirmation."),
    }
}

/// Whether a claim may apply during the priority round. Before `priority_until`, only
/// the listed ties may apply; after it, everyone.
pub fn priority_round_allows(claim: Affiliation, priority: &[Affiliation], in_priority_round: bool) -> bool {
    !in_priority_round || priority.is_empty() || priority.contains(&claim)
}

/// New contact details an applicant may correct after applying.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ContactCorrection {
    pub phone: String,
    pub emergency_name: String,
    pub emergency_phone: String,
}

impl ContactCorrection {
    /// Checks the corrected details the same way as on the application form.
    pub fn validate(&self) -> Result<ContactCorrection, Vec<RuleFailure>> {
        let mut f = Vec::new();
        let phone = required(&mut f, "phone", "phone number", &self.phone);
        if !phone.is_empty() && !phone_ok(&phone) {
            f.push(RuleFailure::new(
                "phone_format",
                "phone",
                "Enter a phone number with 7 to 15 digits.",
            ));
        }
        let emergency_name = required(
            &mut f,
            "emergency_name",
            "emergency contact's name",
            &self.emergency_name,
        );
        let emergency_phone = required(
            &mut f,
            "emergency_phone",
            "emergency contact's phone number",
            &self.emergency_phone,
        );
        if !emergency_phone.is_empty() && !phone_ok(&emergency_phone) {
            f.push(RuleFailure::new(
                "phone_format",
                "emergency_phone",
                "Enter the emergency contact's phone number with 7 to 15 digits.",
            ));
        }
        if f.is_empty() {
            Ok(ContactCorrection {
                phone,
                emergency_name,
                emergency_phone,
            })
        } else {
            Err(f)
        }
    }
}

/// Whether applicants may still correct their details: until the class's correction
/// deadline, or, when none is set, until the first session starts.
pub fn corrections_open(
    deadline: Option<jiff::Timestamp>,
    first_session: Option<jiff::Timestamp>,
    now: jiff::Timestamp,
) -> bool {
    match deadline.or(first_session) {
        Some(until) => now < until,
        None => true,
    }
}

/// Moves one entry of an ordered waitlist to a 1-based position (clamped to the list),
/// keeping everyone else in their order. Returns the new order, or `None` if the entry
/// is not on the list.
pub fn move_in_queue<T: PartialEq + Copy>(order: &[T], who: T, position: usize) -> Option<Vec<T>> {
    let from = order.iter().position(|x| *x == who)?;
    let mut new = order.to_vec();
    let item = new.remove(from);
    let to = position.saturating_sub(1).min(new.len());
    new.insert(to, item);
    Some(new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input() -> ApplicationInput {
        ApplicationInput {
            first_name: "Rosa".into(),
            last_name: "Alvarez".into(),
            email: "rosa@example.org".into(),
            phone: "(555) 010-2233".into(),
            date_of_birth: "1980-05-17".into(),
            city: "Harbor Point".into(),
            affiliation: Some(AffiliationInput {
                kind: "resides".into(),
                organization: None,
            }),
            emergency_contact: Some(EmergencyContactInput {
                name: "Luis Alvarez".into(),
                phone: "555 010 9988".into(),
            }),
            waiver_accepted: true,
            answers: Default::default(),
        }
    }

    fn today() -> Date {
        date(2026, 11, 22)
    }

    fn rules(f: &[RuleFailure]) -> Vec<&str> {
        f.iter().map(|x| x.rule).collect()
    }

    #[test]
    fn a_complete_application_validates() {
        let a = input().validate(today()).unwrap();
        assert_eq!(a.date_of_birth, date(1980, 5, 17));
        assert_eq!(a.affiliation, Affiliation::Resides);
    }

    #[test]
    fn every_missing_field_is_named() {
        let f = ApplicationInput::default().validate(today()).unwrap_err();
        let fields: Vec<&str> = f.iter().map(|x| x.field.as_ref()).collect();
        for field in [
            "first_name",
            "last_name",
            "email",
            "phone",
            "date_of_birth",
            "city",
            "affiliation",
            "emergency_name",
            "emergency_phone",
        ] {
            assert!(fields.contains(&field), "{field} reported: {fields:?}");
        }
    }

    #[test]
    fn malformed_values_are_reported() {
        let mut i = input();
        i.email = "rosa at example".into();
        i.phone = "12".into();
        i.date_of_birth = "17/05/1980".into();
        let f = i.validate(today()).unwrap_err();
        assert_eq!(rules(&f), ["email_format", "phone_format", "date_format"]);
        let mut i = input();
        i.date_of_birth = "2030-01-01".into();
        assert_eq!(rules(&i.validate(today()).unwrap_err()), ["date_of_birth_future"]);
        let mut i = input();
        i.first_name = "x".repeat(201);
        assert_eq!(rules(&i.validate(today()).unwrap_err()), ["too_long"]);
        let mut i = input();
        i.last_name = "Al\u{0}varez".into();
        assert_eq!(rules(&i.validate(today()).unwrap_err()), ["invalid_characters"]);
    }

    #[test]
    fn members_must_name_their_organization() {
        let mut i = input();
        i.affiliation = Some(AffiliationInput {
            kind: "member".into(),
            organization: Some("  ".into()),
        });
        assert_eq!(rules(&i.validate(today()).unwrap_err()), ["organization_required"]);
        i.affiliation = Some(AffiliationInput {
            kind: "member".into(),
            organization: Some("Harbor Rotary".into()),
        });
        assert_eq!(i.validate(today()).unwrap().organization, "Harbor Rotary");
        i.affiliation = Some(AffiliationInput {
            kind: "visits".into(),
            organization: None,
        });
        assert_eq!(rules(&i.validate(today()).unwrap_err()), ["affiliation_kind"]);
    }

    #[test]
    fn email_shapes() {
        assert!(looks_like_email("a@b.co"));
        assert!(!looks_like_email("a@b"));
        assert!(!looks_like_email("@b.co"));
        assert!(!looks_like_email("a b@c.co"));
        assert!(!looks_like_email("a@@b.co"));
        assert_eq!(email_key("  Rosa@Example.ORG "), "rosa@example.org");
    }

    #[test]
    fn the_same_person_is_recognized_despite_spacing_and_case() {
        let d = date(1980, 5, 17);
        assert_eq!(person_key("Rosa ", "ALVAREZ", d), person_key("rosa", " alvarez", d));
        assert_ne!(
            person_key("Rosa", "Alvarez", d),
            person_key("Rosa", "Alvarez", date(1980, 5, 18))
        );
    }

    #[test]
    fn age_counts_the_birthday_itself() {
        assert_eq!(age_on(date(2008, 12, 29), date(2026, 12, 29)), 18);
        assert_eq!(age_on(date(2008, 12, 30), date(2026, 12, 29)), 17);
        assert_eq!(age_on(date(2008, 2, 29), date(2026, 2, 28)), 17);
        assert_eq!(age_on(date(2008, 2, 29), date(2026, 3, 1)), 18);
    }

    fn citizen_rules() -> Eligibility {
        Eligibility {
            min_age: Some(18),
            affiliations: vec![Affiliation::Resides, Affiliation::Works, Affiliation::Member],
            waiver: true,
            ..Default::default()
        }
    }

    #[test]
    fn age_is_measured_on_the_first_day_of_class() {
        let rules = citizen_rules();
        let facts = ClassFacts {
            eligibility: &rules,
            first_day: Some(date(2026, 12, 29)),
            service_area: &["Harbor Point".to_string()],
        };
        let mut i = input();
        i.date_of_birth = "2008-12-29".into();
        assert!(
            check_eligibility(&i.validate(today()).unwrap(), &facts, today()).is_empty(),
            "18 on day one"
        );
        i.date_of_birth = "2008-12-30".into();
        let f = check_eligibility(&i.validate(today()).unwrap(), &facts, today());
        assert_eq!(rules_of(&f), ["min_age"]);
        assert!(f[0].message.contains("you would be 17"));
    }

    fn rules_of(f: &[RuleFailure]) -> Vec<&str> {
        rules(f)
    }

    #[test]
    fn maximum_age_applies() {
        let rules = Eligibility {
            max_age: Some(19),
            ..Default::default()
        };
        let facts = ClassFacts {
            eligibility: &rules,
            first_day: Some(date(2026, 9, 10)),
            service_area: &["Harbor Point".to_string()],
        };
        let a = input().validate(today()).unwrap();
        assert_eq!(rules_of(&check_eligibility(&a, &facts, today())), ["max_age"]);
    }

    #[test]
    fn every_failing_rule_is_listed_together() {
        let rules = citizen_rules();
        let facts = ClassFacts {
            eligibility: &rules,
            first_day: Some(date(2026, 12, 29)),
            service_area: &["Harbor Point".to_string()],
        };
        let mut i = input();
        i.date_of_birth = "2012-01-01".into();
        i.affiliation = Some(AffiliationInput {
            kind: "studies".into(),
            organization: None,
        });
        i.waiver_accepted = false;
        let f = check_eligibility(&i.validate(today()).unwrap(), &facts, today());
        assert_eq!(rules_of(&f), ["min_age", "affiliation", "waiver"]);
    }

    #[test]
    fn residents_must_live_in_the_city() {
        let rules = citizen_rules();
        let facts = ClassFacts {
            eligibility: &rules,
            first_day: None,
            service_area: &["Harbor Point".to_string()],
        };
        let mut i = input();
        i.city = "harbor point ".into();
        assert!(check_eligibility(&i.validate(today()).unwrap(), &facts, today()).is_empty());
        i.city = "Seaview".into();
        assert_eq!(
            rules_of(&check_eligibility(&i.validate(today()).unwrap(), &facts, today())),
            ["residence_city"]
        );
        // Working in the city does not depend on where you live.
        i.affiliation = Some(AffiliationInput {
            kind: "works".into(),
            organization: None,
        });
        assert!(check_eligibility(&i.validate(today()).unwrap(), &facts, today()).is_empty());
    }

    #[test]
    fn placement_fills_seats_then_the_waitlist() {
        use ApplicationStatus::*;
        assert_eq!(place(Allocation::FirstCome, 30, 29, false), Confirmed);
        assert_eq!(place(Allocation::FirstCome, 30, 29, true), PendingReview);
        assert_eq!(place(Allocation::FirstCome, 30, 30, false), Waitlisted);
        assert_eq!(
            place(Allocation::FirstCome, 30, 31, false),
            Waitlisted,
            "capacity lowered below enrolment"
        );
        assert_eq!(place(Allocation::FirstCome, 0, 0, false), Waitlisted);
        assert_eq!(place(Allocation::Lottery, 30, 0, false), Entered);
    }

    #[test]
    fn seat_holding_statuses() {
        assert!(ApplicationStatus::Offered.holds_seat());
        assert!(ApplicationStatus::PendingReview.holds_seat());
        assert!(!ApplicationStatus::Waitlisted.holds_seat());
        assert!(!ApplicationStatus::Withdrawn.holds_seat());
        assert!(!ApplicationStatus::Expired.holds_seat());
        assert!(ApplicationStatus::Offered.can_withdraw());
        assert!(!ApplicationStatus::Completed.can_withdraw());
    }

    #[test]
    fn the_apply_prompt_says_what_applying_does() {
        assert_eq!(apply_prompt(Allocation::FirstCome, 3, false).action, "Apply for a seat");
        assert!(apply_prompt(Allocation::FirstCome, 3, true).detail.contains("reviews"));
        let full = apply_prompt(Allocation::FirstCome, 0, false);
        assert!(full.waitlist);
        assert_eq!(full.action, "Join the waitlist");
        assert_eq!(apply_prompt(Allocation::Lottery, 0, false).action, "Enter the lottery");
    }

    #[test]
    fn a_withdrawal_takes_effect_after_the_grace_period() {
        let now: jiff::Timestamp = "2027-03-01T18:00:00Z".parse().unwrap();
        assert_eq!(
            withdrawal_takes_effect(now),
            "2027-03-01T18:10:00Z".parse::<jiff::Timestamp>().unwrap()
        );
    }

    #[test]
    fn priority_rounds_admit_only_listed_ties() {
        let prio = [Affiliation::Resides, Affiliation::Member];
        assert!(priority_round_allows(Affiliation::Resides, &prio, true));
        assert!(!priority_round_allows(Affiliation::Works, &prio, true));
        assert!(priority_round_allows(Affiliation::Works, &prio, false));
        assert!(priority_round_allows(Affiliation::Works, &[], true));
    }

    #[test]
    fn corrections_close_at_the_deadline_or_the_first_session() {
        let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let now = t("2027-01-01T00:00:00Z");
        assert!(corrections_open(None, None, now));
        assert!(corrections_open(Some(t("2027-01-02T00:00:00Z")), None, now));
        assert!(!corrections_open(Some(t("2027-01-01T00:00:00Z")), None, now));
        assert!(!corrections_open(None, Some(t("2026-12-31T00:00:00Z")), now));
        // An explicit deadline wins over the first session.
        assert!(corrections_open(
            Some(t("2027-01-05T00:00:00Z")),
            Some(t("2026-12-31T00:00:00Z")),
            now
        ));
    }

    #[test]
    fn contact_corrections_are_checked_like_the_form() {
        let ok = ContactCorrection {
            phone: "555 010 1111".into(),
            emergency_name: "Kin".into(),
            emergency_phone: "555 010 2222".into(),
        };
        assert!(ok.validate().is_ok());
        let bad = ContactCorrection {
            phone: "12".into(),
            emergency_name: " ".into(),
            emergency_phone: "x".into(),
        };
        let rules: Vec<&str> = bad.validate().unwrap_err().iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["phone_format", "required", "phone_format"]);
    }

    #[test]
    fn approval_waits_for_a_cleared_background_check() {
        assert!(may_approve(true, BackgroundCheck::Cleared).is_ok());
        assert!(may_approve(true, BackgroundCheck::InProgress).is_err());
        assert!(may_approve(true, BackgroundCheck::NotCleared).is_err());
        assert!(may_approve(false, BackgroundCheck::NotStarted).is_ok());
    }

    #[test]
    fn moving_on_the_waitlist_keeps_everyone_else_in_order() {
        assert_eq!(move_in_queue(&[1, 2, 3, 4], 4, 1), Some(vec![4, 1, 2, 3]));
        assert_eq!(move_in_queue(&[1, 2, 3, 4], 1, 3), Some(vec![2, 3, 1, 4]));
        assert_eq!(
            move_in_queue(&[1, 2, 3, 4], 2, 99),
            Some(vec![1, 3, 4, 2]),
            "past the end means last"
        );
        assert_eq!(
            move_in_queue(&[1, 2, 3, 4], 3, 0),
            Some(vec![3, 1, 2, 4]),
            "0 means first"
        );
        assert_eq!(move_in_queue(&[1, 2], 9, 1), None);
    }

    #[test]
    fn unknown_json_fields_are_rejected() {
        let r: Result<ApplicationInput, _> = serde_json::from_str(r#"{"first_name":"a","admin":true}"#);
        assert!(r.is_err());
    }
}
