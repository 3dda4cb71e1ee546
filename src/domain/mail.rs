//! What each kind of message may carry, and how staff see it.
//!
//! Some messages hand their recipient a working link: a sign-in to their applications,
//! a password reset, a guardian's consent form, an anonymous survey, a private request
//! page. Such a link is a credential of the recipient alone, so it never sits in the
//! message text: the text holds [`LINK_MARK`] where the link goes, the link travels
//! beside it to delivery, and every staff view shows a description instead.
//!
//! Every kind of message is listed in [`KINDS`] with its rule; a message of a kind not
//! listed cannot be queued, so a new kind of mail cannot skip the rule.

use std::fmt;

/// Where a working link goes in a message's text.
pub const LINK_MARK: &str = "[[private link]]";

/// Paths that open something on the holder's behalf; no message text may contain one
/// outside its [`SecretLink`] (checked on queueing and hidden again on display).
pub const PRIVATE_PATHS: [&str; 8] = [
    "/my/link/",
    "/staff/password-reset/",
    "/consent/",
    "/surveys/",
    "/requests/follow/",
    "/alumni/leave/",
    "/interest/unsubscribe/",
    "/calendar/",
];

/// The kinds of working link a message can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// Signs an applicant in to their applications (`/my/link/…`).
    ApplicantSignIn,
    /// Sets a staff member's password (`/staff/password-reset/…`).
    StaffPassword,
    /// A guardian's consent form for a minor (`/consent/…`).
    GuardianConsent,
    /// One anonymous answer sheet (`/surveys/…`).
    Survey,
    /// A requester's private request page (`/requests/follow/…`).
    RequestFollow,
    /// Takes the recipient off a mailing list (`/alumni/leave/…`).
    Unsubscribe,
}

impl LinkKind {
    pub const ALL: [LinkKind; 6] = [
        LinkKind::ApplicantSignIn,
        LinkKind::StaffPassword,
        LinkKind::GuardianConsent,
        LinkKind::Survey,
        LinkKind::RequestFollow,
        LinkKind::Unsubscribe,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LinkKind::ApplicantSignIn => "applicant_sign_in",
            LinkKind::StaffPassword => "staff_password",
            LinkKind::GuardianConsent => "guardian_consent",
            LinkKind::Survey => "survey",
            LinkKind::RequestFollow => "request_follow",
            LinkKind::Unsubscribe => "unsubscribe",
        }
    }

    pub fn parse(code: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// What staff read in place of the link.
    pub fn description(self) -> &'static str {
        match self {
            LinkKind::ApplicantSignIn => "the recipient's sign-in link to their applications",
            LinkKind::StaffPassword => "the recipient's link to choose a staff password",
            LinkKind::GuardianConsent => "the guardian's link to the consent form",
            LinkKind::Survey => "the recipient's link to their anonymous survey",
            LinkKind::RequestFollow => "the requester's private link to follow the request",
            LinkKind::Unsubscribe => "the recipient's link to leave the mailing list",
        }
    }

    /// The path a link of this kind opens, before its token.
    pub fn path(self) -> &'static str {
        match self {
            LinkKind::ApplicantSignIn => "/my/link/",
            LinkKind::StaffPassword => "/staff/password-reset/",
            LinkKind::GuardianConsent => "/consent/",
            LinkKind::Survey => "/surveys/",
            LinkKind::RequestFollow => "/requests/follow/",
            LinkKind::Unsubscribe => "/alumni/leave/",
        }
    }

    /// Whether sending the message again mints a new link. Credentials are replaced, so
    /// a resend never repeats a link that may have been seen; a list's leave link only
    /// takes its holder off the list and stays the same in every message of that list.
    pub fn fresh_on_resend(self) -> bool {
        !matches!(self, LinkKind::Unsubscribe)
    }

    /// Whether messages with this link are listed only to those who administer staff
    /// accounts (a password link in the outbox is a way into someone else's account).
    pub fn admin_only(self) -> bool {
        matches!(self, LinkKind::StaffPassword)
    }
}

impl fmt::Display for LinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A kind of message and the link it carries, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindRule {
    pub kind: &'static str,
    pub link: Option<LinkKind>,
}

const fn rule(kind: &'static str, link: Option<LinkKind>) -> KindRule {
    KindRule { kind, link }
}

use LinkKind::*;

/// Every kind of message the service sends.
pub const KINDS: &[KindRule] = &[
    rule("application_received", Some(ApplicantSignIn)),
    rule("seat_offered", Some(ApplicantSignIn)),
    rule("access_link", Some(ApplicantSignIn)),
    rule("lottery_result", Some(ApplicantSignIn)),
    rule("offer_expiring", Some(ApplicantSignIn)),
    rule("staff_password_reset", Some(StaffPassword)),
    rule("staff_welcome", Some(StaffPassword)),
    rule("guardian_consent", Some(GuardianConsent)),
    rule("guardian_consent_copy", None),
    rule("survey_invitation", Some(Survey)),
    rule("request_received", Some(RequestFollow)),
    rule("alumni", Some(Unsubscribe)),
    rule("offer_expired", None),
    rule("withdrawn", None),
    rule("class_announced", None),
    rule("registration_open", None),
    rule("application_approved", None),
    rule("application_denied", None),
    rule("session_cancelled", None),
    rule("session_changed", None),
    rule("class_cancelled", None),
    rule("class_message", None),
    rule("ride_along_booked", None),
    rule("session_reminder", None),
    rule("graduated", None),
    rule("review_needed", None),
    rule("request_updated", None),
    rule("requests_waiting", None),
    rule("request_assigned", None),
    rule("credit_report", None),
];

/// The rule for a kind of message; `None` for a kind nobody declared.
pub fn rule_for(kind: &str) -> Option<KindRule> {
    KINDS.iter().copied().find(|r| r.kind == kind)
}

/// Why a message cannot be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageFault {
    UnknownKind(String),
    LinkMismatch { kind: String },
    LinkInText { kind: String },
}

impl fmt::Display for MessageFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageFault::UnknownKind(k) => write!(f, "message kind {k:?} has no rule in domain::mail::KINDS"),
            MessageFault::LinkMismatch { kind } => {
                write!(
                    f,
                    "a {kind:?} message must carry exactly the link its rule names, marked once in its text"
                )
            }
            MessageFault::LinkInText { kind } => {
                write!(
                    f,
                    "a {kind:?} message has a private link in its text instead of beside it"
                )
            }
        }
    }
}

impl std::error::Error for MessageFault {}

/// Checks a message against its kind's rule before it is queued: the kind is known, a
/// link is present exactly when the rule names one (and marked once in the text), and
/// no private link hides in the text itself.
pub fn check(kind: &str, text: &str, link: Option<LinkKind>) -> Result<(), MessageFault> {
    let rule = rule_for(kind).ok_or_else(|| MessageFault::UnknownKind(kind.to_string()))?;
    let marks = text.matches(LINK_MARK).count();
    let link_ok = match (rule.link, link) {
        (Some(want), Some(got)) => want == got && marks == 1,
        (None, None) => marks == 0,
        _ => false,
    };
    if !link_ok {
        return Err(MessageFault::LinkMismatch { kind: kind.to_string() });
    }
    if PRIVATE_PATHS.iter().any(|p| text.contains(p)) {
        return Err(MessageFault::LinkInText { kind: kind.to_string() });
    }
    Ok(())
}

/// The text a recipient reads: the link put back in its place.
pub fn delivered_text(text: &str, link: Option<&str>) -> String {
    match link {
        Some(url) => text.replacen(LINK_MARK, url, 1),
        None => text.to_string(),
    }
}

/// What staff read about a link: its kind and, when known, until when it works
/// (`validity`, e.g. "valid until …"; empty when the link does not expire).
pub fn describe(kind: LinkKind, validity: &str) -> String {
    if validity.is_empty() {
        kind.description().to_string()
    } else {
        format!("{}, {validity}", kind.description())
    }
}

/// The text staff read: the link replaced by its description (from [`describe`]), never
/// shown. Messages written before links were kept apart may hold one in their text; any
/// private path is hidden there too.
pub fn staff_text(text: &str, described: Option<&str>) -> String {
    let described = match described {
        Some(d) => text.replace(LINK_MARK, &format!("[{d}; not shown to staff]")),
        None => text.to_string(),
    };
    described
        .split_inclusive('\n')
        .map(|line| {
            if PRIVATE_PATHS.iter().any(|p| line.contains(p)) {
                let end = if line.ends_with('\n') { "\n" } else { "" };
                format!("[a private link; not shown to staff]{end}")
            } else {
                line.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_declared_once_and_links_round_trip() {
        for (i, r) in KINDS.iter().enumerate() {
            assert!(KINDS[i + 1..].iter().all(|o| o.kind != r.kind), "{} twice", r.kind);
        }
        for k in LinkKind::ALL {
            assert_eq!(LinkKind::parse(k.code()), Some(k));
            assert!(PRIVATE_PATHS.contains(&k.path()), "{k} path not private");
        }
    }

    #[test]
    fn a_message_must_follow_its_kinds_rule() {
        let text = format!("Hello,\n\nYour link:\n{LINK_MARK}\n");
        assert_eq!(check("access_link", &text, Some(ApplicantSignIn)), Ok(()));
        assert!(check("access_link", "no link", None).is_err());
        assert!(check("access_link", &text, Some(Survey)).is_err());
        assert!(check("withdrawn", &text, None).is_err());
        assert!(matches!(
            check("brand_new", "x", None),
            Err(MessageFault::UnknownKind(_))
        ));
        assert!(matches!(
            check("withdrawn", "see https://x/my/link/abc", None),
            Err(MessageFault::LinkInText { .. })
        ));
    }

    #[test]
    fn staff_read_a_description_and_recipients_the_link() {
        let text = format!("Hello,\n\nYour link:\n{LINK_MARK}\n\nBye\n");
        let delivered = delivered_text(&text, Some("https://x/my/link/SECRET"));
        assert!(delivered.contains("https://x/my/link/SECRET"));
        let staff = staff_text(&text, Some(&describe(ApplicantSignIn, "valid until May 3")));
        assert!(!staff.contains("SECRET") && !staff.contains(LINK_MARK));
        assert!(staff.contains("sign-in link") && staff.contains("valid until May 3"));
    }

    #[test]
    fn old_messages_with_inline_links_are_hidden_line_by_line() {
        let old = "Hello,\nFollow here: https://x/requests/follow/SECRET\nThanks\n";
        let staff = staff_text(old, None);
        assert!(!staff.contains("SECRET"));
        assert!(staff.contains("Thanks"));
    }
}
