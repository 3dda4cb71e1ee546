//! The wording of applicant emails: plain text, plain language, one clear next step.
//!
//! Kept whole: one function per message, so every wording the service sends is read in
//! one place; the last quarter of the file is their snapshot tests.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::domain::mail::LINK_MARK;
use crate::domain::{ApplicationId, ApplicationStatus, RequestId, SessionId};
use crate::store::outbox::{OutgoingMessage, SecretLink};

/// Facts shared by applicant messages.
pub struct Context<'a> {
    pub department: &'a str,
    pub program: &'a str,
    pub class: &'a str,
    pub time_zone: &'a str,
}

impl Context<'_> {
    pub fn course(&self) -> String {
        format!("{}: {}", self.program, self.class)
    }

    fn when(&self, ts: Timestamp) -> String {
        let tz = TimeZone::get(self.time_zone).unwrap_or(TimeZone::UTC);
        ts.to_zoned(tz).strftime("%A, %B %-d at %-I:%M %p %Z").to_string()
    }
}

/// "We received your application", with where it stands and a link to follow it.
pub fn application_received(
    ctx: &Context<'_>,
    to: &str,
    first_name: &str,
    status: ApplicationStatus,
    waitlist_position: Option<i64>,
    first_session: Option<Timestamp>,
    link: SecretLink,
) -> OutgoingMessage {
    // When it starts, in the department's zone, so the email is useful without the site.
    let starts = first_session.map_or_else(String::new, |t| format!("The class starts {}.\n\n", ctx.when(t)));
    let standing = match (status, waitlist_position) {
        (ApplicationStatus::Confirmed, _) => {
            "You have a seat. We look forward to seeing you at the first session.".to_string()
        }
        (ApplicationStatus::PendingReview, _) => {
            "A seat is held for you while staff review your application. We will write again with the decision."
                .to_string()
        }
        (ApplicationStatus::Waitlisted, Some(n)) => format!(
            "The class is full, so you are number {n} on the waitlist. If a seat opens we will email you an offer."
        ),
        (ApplicationStatus::Entered, _) => {
            "You are entered in the lottery. Seats are drawn when registration closes; we will email you the result."
                .to_string()
        }
        _ => format!("Your application status: {}.", status.label()),
    };
    OutgoingMessage {
        kind: "application_received",
        recipient: to.to_string(),
        subject: format!("Application received: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nThank you for applying to {course}.\n\n{standing}\n\n{starts}\
             See your application, withdraw, or answer an offer here (the link works once and \
             for 7 days; you can always ask for a new one on our site):\n{LINK_MARK}\n\n{dept}\n",
            course = ctx.course(),
            dept = ctx.department,
        ),
        link: Some(link),
        ..Default::default()
    }
}

/// A seat opened: accept before the offer expires.
pub fn seat_offered(
    ctx: &Context<'_>,
    to: &str,
    first_name: &str,
    expires_at: Timestamp,
    link: SecretLink,
) -> OutgoingMessage {
    OutgoingMessage {
        kind: "seat_offered",
        recipient: to.to_string(),
        subject: format!("A seat is available: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nA seat has opened in {course} and it is offered to you.\n\n\
             Accept it by {deadline}. After that it goes to the next person on the waitlist.\n\n\
             Accept or decline here:\n{LINK_MARK}\n\n{dept}\n",
            course = ctx.course(),
            deadline = ctx.when(expires_at),
            dept = ctx.department,
        ),
        link: Some(link),
        ..Default::default()
    }
}

/// The offer ran out.
pub fn offer_expired(ctx: &Context<'_>, to: &str, first_name: &str) -> OutgoingMessage {
    OutgoingMessage {
        kind: "offer_expired",
        recipient: to.to_string(),
        subject: format!("Your seat offer expired: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nThe seat we offered you in {course} was not accepted in time, so it \
             has gone to the next person on the waitlist.\n\nYou are welcome to apply for a future class.\n\n{dept}\n",
            course = ctx.course(),
            dept = ctx.department,
        ),
        ..Default::default()
    }
}

/// Confirmation of a withdrawal.
pub fn withdrawn(ctx: &Context<'_>, to: &str, first_name: &str) -> OutgoingMessage {
    OutgoingMessage {
        kind: "withdrawn",
        recipient: to.to_string(),
        subject: format!("You have withdrawn: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nYou have withdrawn from {course}. If this was a mistake, contact us \
             and we will help.\n\n{dept}\n",
            course = ctx.course(),
            dept = ctx.department,
        ),
        ..Default::default()
    }
}

/// A fresh sign-in link, asked for on "find my application".
pub fn access_link(department: &str, to: &str, link: SecretLink) -> OutgoingMessage {
    OutgoingMessage {
        kind: "access_link",
        recipient: to.to_string(),
        subject: format!("Your application link from the {department}"),
        body_text: format!(
            "Hello,\n\nUse this link to see your applications (it works once and for 24 hours):\n{LINK_MARK}\n\n\
             If you did not ask for it, you can ignore this email.\n\n{department}\n"
        ),
        link: Some(link),
        ..Default::default()
    }
}

/// The outcome of a lottery draw for one applicant.
pub fn lottery_result(
    ctx: &Context<'_>,
    to: &str,
    first_name: &str,
    status: ApplicationStatus,
    waitlist_position: Option<i64>,
    link: SecretLink,
) -> OutgoingMessage {
    let outcome = match (status, waitlist_position) {
        (ApplicationStatus::Waitlisted, Some(n)) => {
            format!("Your name was not drawn for a seat this time; you are number {n} on the waitlist.")
        }
        (ApplicationStatus::PendingReview, _) => {
            "Your name was drawn: a seat is held for you while staff review your application.".to_string()
        }
        _ => "Your name was drawn: you have a seat.".to_string(),
    };
    OutgoingMessage {
        kind: "lottery_result",
        recipient: to.to_string(),
        subject: format!("Lottery result: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nThe lottery for {course} has been drawn.\n\n{outcome}\n\n\
             The draw can be checked by anyone: the seed and the list of entries are on the class page.\n\n\
             See your application here:\n{LINK_MARK}\n\n{dept}\n",
            course = ctx.course(),
            dept = ctx.department,
        ),
        link: Some(link),
        ..Default::default()
    }
}

/// A class was announced, or its registration opened: for interest-list subscribers.
pub fn class_news(
    ctx: &Context<'_>,
    to: &str,
    registration_open: bool,
    class_link: &str,
    unsubscribe_link: &str,
) -> OutgoingMessage {
    let (subject, news) = if registration_open {
        (
            format!("Registration is open: {}", ctx.course()),
            "Registration is now open. Seats usually go quickly.",
        )
    } else {
        (
            format!("New class announced: {}", ctx.course()),
            "A new class has been announced. We will write again when registration opens.",
        )
    };
    OutgoingMessage {
        kind: if registration_open {
            "registration_open"
        } else {
            "class_announced"
        },
        recipient: to.to_string(),
        subject,
        body_text: format!(
            "Hello,\n\nYou asked to hear about {program}. {news}\n\nDetails and schedule:\n{class_link}\n\n{dept}\n",
            program = ctx.program,
            dept = ctx.department,
        ),
        unsubscribe_url: Some(unsubscribe_link.to_string()),
        ..Default::default()
    }
}

/// The outcome of a staff review.
pub fn review_decision(
    ctx: &Context<'_>,
    to: &str,
    first_name: &str,
    approved: bool,
    reason: Option<&str>,
) -> OutgoingMessage {
    let (kind, subject, body) = if approved {
        (
            "application_approved",
            format!("Your seat is confirmed: {}", ctx.course()),
            "Good news: staff have reviewed your application and your seat is confirmed. We look forward to seeing you at the first session.".to_string(),
        )
    } else {
        (
            "application_denied",
            format!("About your application: {}", ctx.course()),
            format!(
                "Staff have reviewed your application and cannot offer you a seat in this class.{}\n\nIf you have questions, reply to this email or call us.",
                reason.map(|r| format!(" Reason: {r}")).unwrap_or_default()
            ),
        )
    };
    OutgoingMessage {
        kind,
        recipient: to.to_string(),
        subject,
        body_text: format!("Hello {first_name},\n\n{body}\n\n{dept}\n", dept = ctx.department),
        ..Default::default()
    }
}

/// A session will not take place.
pub fn session_cancelled(ctx: &Context<'_>, to: &str, first_name: &str, session: &str) -> OutgoingMessage {
    OutgoingMessage {
        kind: "session_cancelled",
        recipient: to.to_string(),
        subject: format!("Session cancelled: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nThis session of {course} is cancelled:\n{session}\n\n\
             The rest of the schedule is unchanged. We are sorry for the inconvenience.\n\n{dept}\n",
            course = ctx.course(),
            dept = ctx.department,
        ),
        ..Default::default()
    }
}

/// A session moved or changed rooms.
pub fn session_changed(ctx: &Context<'_>, to: &str, first_name: &str, before: &str, after: &str) -> OutgoingMessage {
    OutgoingMessage {
        kind: "session_changed",
        recipient: to.to_string(),
        subject: format!("Schedule change: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nOne session of {course} has changed.\n\nWas: {before}\nNow: {after}\n\n\
             The rest of the schedule is unchanged. If the new time does not work for you, reply to this email.\n\n{dept}\n",
            course = ctx.course(),
            dept = ctx.department,
        ),
        ..Default::default()
    }
}

/// A whole class is cancelled.
pub fn class_cancelled(ctx: &Context<'_>, to: &str, first_name: &str) -> OutgoingMessage {
    OutgoingMessage {
        kind: "class_cancelled",
        recipient: to.to_string(),
        subject: format!("Class cancelled: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nWe are sorry: {course} is cancelled. Your application is closed and you do not \
             need to do anything. To hear about the next class, join the interest list on the program page.\n\n{dept}\n",
            course = ctx.course(),
            dept = ctx.department,
        ),
        ..Default::default()
    }
}

/// A participant booked a ride-along shift.
pub fn ride_along_booked(
    ctx: &Context<'_>,
    to: &str,
    first_name: &str,
    starts_at: Timestamp,
    shift: &str,
) -> OutgoingMessage {
    OutgoingMessage {
        kind: "ride_along_booked",
        recipient: to.to_string(),
        subject: format!("Ride-along booked: {}", ctx.when(starts_at)),
        body_text: format!(
            "Hello {first_name},\n\nYou are booked to ride along with {shift} on {when}, as part of {course}.\n\n\
             Come to the front desk 15 minutes early with a photo ID, wear closed-toe shoes, and expect to be out \
             for the whole shift. You can cancel up to 24 hours before through your application link.\n\n{dept}\n",
            when = ctx.when(starts_at),
            course = ctx.course(),
            dept = ctx.department,
        ),
        ..Default::default()
    }
}

/// The offer runs out soon: a last call, with a fresh link. Queued once per offer.
pub fn offer_expiring(
    ctx: &Context<'_>,
    application_id: ApplicationId,
    to: &str,
    first_name: &str,
    expires_at: Timestamp,
    link: SecretLink,
) -> OutgoingMessage {
    OutgoingMessage {
        kind: "offer_expiring",
        recipient: to.to_string(),
        subject: format!("Your seat offer ends soon: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nThe seat we offered you in {course} is still yours until {deadline}. \
             After that it goes to the next person on the waitlist.\n\n\
             Accept or decline here:\n{LINK_MARK}\n\nIf you cannot come, declining lets someone else have the seat \
             sooner.\n\n{dept}\n",
            course = ctx.course(),
            deadline = ctx.when(expires_at),
            dept = ctx.department,
        ),
        dedupe_key: Some(format!("offer-expiring:{application_id}:{}", expires_at.as_second())),
        link: Some(link),
        ..Default::default()
    }
}

/// What a session reminder needs to say.
pub struct Reminder<'a> {
    pub session_id: SessionId,
    pub topic: &'a str,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub place: &'a str,
    pub what_to_bring: &'a str,
    pub class_link: &'a str,
}

/// "See you tomorrow": time, place and what to bring. Queued once per session, start
/// time and person, so a rescheduled session is reminded again.
pub fn session_reminder(ctx: &Context<'_>, to: &str, first_name: &str, r: &Reminder<'_>) -> OutgoingMessage {
    let tz = TimeZone::get(ctx.time_zone).unwrap_or(TimeZone::UTC);
    let start = r.starts_at.to_zoned(tz.clone());
    let end = r.ends_at.to_zoned(tz);
    let bring = if r.what_to_bring.trim().is_empty() {
        String::new()
    } else {
        format!("What to bring: {}\n\n", r.what_to_bring.trim())
    };
    let place = if r.place.trim().is_empty() {
        String::new()
    } else {
        format!("Where: {}\n", r.place.trim())
    };
    OutgoingMessage {
        kind: "session_reminder",
        recipient: to.to_string(),
        subject: format!("Tomorrow: {} ({})", r.topic, ctx.program),
        body_text: format!(
            "Hello {first_name},\n\nA reminder that your next session of {course} is tomorrow.\n\n\
             {topic}\nWhen: {day}, {from} to {to} {zone}\n{place}\n{bring}\
             Schedule, directions and a calendar to subscribe to:\n{link}\n\n\
             If you cannot come, reply to let us know. {dept}\n",
            course = ctx.course(),
            topic = r.topic,
            day = start.strftime("%A, %B %-d"),
            from = start.strftime("%-I:%M %p"),
            to = end.strftime("%-I:%M %p"),
            zone = start.strftime("%Z"),
            link = r.class_link,
            dept = ctx.department,
        ),
        dedupe_key: Some(format!(
            "reminder:{}:{}:{}",
            r.session_id,
            r.starts_at.as_second(),
            to.trim().to_lowercase()
        )),
        ..Default::default()
    }
}

/// Congratulations, with where to check and download the certificate.
pub fn graduated(ctx: &Context<'_>, to: &str, first_name: &str, verify_link: &str, my_link: &str) -> OutgoingMessage {
    OutgoingMessage {
        kind: "graduated",
        recipient: to.to_string(),
        subject: format!("Congratulations, you graduated: {}", ctx.course()),
        body_text: format!(
            "Hello {first_name},\n\nCongratulations on completing {course}. Thank you for the evenings you \
             gave us.\n\nDownload your certificate (a PDF to print or keep) from your applications page:\n\
             {my_link}\n\nAnyone you show it to can check it is genuine here:\n{verify_link}\n\n{dept}\n",
            course = ctx.course(),
            dept = ctx.department,
        ),
        ..Default::default()
    }
}

/// To reviewers: an application waits for a decision.
pub fn needs_review(ctx: &Context<'_>, to: &str, link: &str) -> OutgoingMessage {
    OutgoingMessage {
        kind: "review_needed",
        recipient: to.to_string(),
        subject: format!("Applications to review: {}", ctx.course()),
        body_text: format!(
            "Hello,\n\nNew applications to {course} wait for staff review before their seats are confirmed. \
             A seat is held for each while it waits. (You hear about this class at most once a day.)\n\n\
             Open the review queue (sign-in needed):\n{link}\n\n{dept}\n",
            course = ctx.course(),
            dept = ctx.department,
        ),
        ..Default::default()
    }
}

/// "We received your request", with the private link to follow it.
pub fn request_received(
    department: &str,
    to: &str,
    first_name: &str,
    service: &str,
    id: RequestId,
    follow_link: SecretLink,
) -> OutgoingMessage {
    let hello = if first_name.is_empty() {
        "Hello".to_string()
    } else {
        format!("Hello {first_name}")
    };
    OutgoingMessage {
        kind: "request_received",
        recipient: to.to_string(),
        subject: format!("We received your request #{id}: {service}"),
        body_text: format!(
            "{hello},\n\nThank you for writing to the {department}. Your request number is {id}. \
             A coordinator reads new requests every working day and will tell you who takes it.\n\n\
             Follow your request, see our answers and add a comment here (keep this link to yourself):\n\
             {LINK_MARK}\n\nThis is not for emergencies: in an emergency, call 911.\n\n{department}\n"
        ),
        link: Some(follow_link),
        ..Default::default()
    }
}

/// A request changed: its new status and the staff note.
#[expect(clippy::too_many_arguments, reason = "each is a fact the message states")]
pub fn request_updated(
    department: &str,
    to: &str,
    first_name: &str,
    service: &str,
    id: RequestId,
    status: crate::domain::requests::RequestStatus,
    note: &str,
    page: &str,
) -> OutgoingMessage {
    use crate::domain::requests::RequestStatus;
    let hello = if first_name.is_empty() {
        "Hello".to_string()
    } else {
        format!("Hello {first_name}")
    };
    let news = match status {
        RequestStatus::New => "It is waiting for a coordinator.".to_string(),
        RequestStatus::Acknowledged => "A coordinator has read it and will find the right officer.".to_string(),
        RequestStatus::Assigned => "An officer has been assigned to it.".to_string(),
        RequestStatus::InProgress => "Work on it has started.".to_string(),
        RequestStatus::Closed => "It is now closed.".to_string(),
    };
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("\n\nFrom the department:\n{note}")
    };
    OutgoingMessage {
        kind: "request_updated",
        recipient: to.to_string(),
        subject: format!("Update on your request #{id}: {}", status.label().to_lowercase()),
        body_text: format!(
            "{hello},\n\nYour request #{id} ({service}) has an update. {news}{note}\n\n\
             See its whole history with the link from our first email, or here:\n{page}\n\n{department}\n"
        ),
        ..Default::default()
    }
}

/// To coordinators: new requests wait on the board (at most once a day each).
pub fn requests_waiting(department: &str, to: &str, board: &str, day: jiff::civil::Date) -> OutgoingMessage {
    OutgoingMessage {
        kind: "requests_waiting",
        recipient: to.to_string(),
        subject: "New community requests to triage".to_string(),
        body_text: format!(
            "Hello,\n\nResidents have filed new requests. Acknowledge them and assign an officer whose duty \
             fits (you hear about this at most once a day).\n\nThe board (sign-in needed):\n{board}\n\n{department}\n"
        ),
        dedupe_key: Some(format!("requests-waiting:{day}:{}", to.to_lowercase())),
        ..Default::default()
    }
}

/// To an officer: a request is now theirs.
pub fn request_assigned(
    department: &str,
    to: &str,
    service: &str,
    id: RequestId,
    due: Option<jiff::civil::Date>,
    link: &str,
) -> OutgoingMessage {
    let due = due.map_or(String::new(), |d| {
        format!(" It is due by {}.", d.strftime("%A, %B %-d"))
    });
    OutgoingMessage {
        kind: "request_assigned",
        recipient: to.to_string(),
        subject: format!("Request #{id} is assigned to you: {service}"),
        body_text: format!(
            "Hello,\n\nRequest #{id} ({service}) is now assigned to you.{due} Update its status and write the \
             requester a note as you work on it.\n\n{link}\n\n{department}\n"
        ),
        ..Default::default()
    }
}

/// A survey link: before the class ("pre") or after graduating ("post").
pub fn survey_invitation(
    ctx: &Context<'_>,
    to: &str,
    first_name: &str,
    after: bool,
    link: SecretLink,
) -> OutgoingMessage {
    let (subject, ask) = if after {
        (
            format!("Now that you have graduated, five minutes for us? {}", ctx.course()),
            "Congratulations again on graduating. You answered a few questions before the class began; \
             answering them once more now shows the department what the class changed.",
        )
    } else {
        (
            format!("Before the class begins: a short survey, {}", ctx.course()),
            "Before the first session, we would like to know how you see policing in our community today. \
             You will get the same questions after you graduate, so we can learn what the class changed.",
        )
    };
    OutgoingMessage {
        kind: "survey_invitation",
        recipient: to.to_string(),
        subject,
        body_text: format!(
            "Hello {first_name},\n\n{ask}\n\nYour answers are anonymous: they are stored without your name, \
             email or application, and results are only shown for groups of five or more. Skip any question \
             you like.\n\nThe link works once:\n{LINK_MARK}\n\n{dept}\n",
            dept = ctx.department,
        ),
        link: Some(link),
        ..Default::default()
    }
}

/// A message from staff to graduates who chose to keep in touch. The same message to the
/// same person is queued once, so a second click sends nothing.
pub fn alumni_news(
    department: &str,
    to: &str,
    subject: &str,
    body: &str,
    unsubscribe_link: SecretLink,
) -> OutgoingMessage {
    let fingerprint = crate::auth::tokens::hash(&format!("{subject}\n{body}"));
    OutgoingMessage {
        dedupe_key: Some(format!("alumni:{fingerprint}:{}", to.to_lowercase())),
        kind: "alumni",
        recipient: to.to_string(),
        subject: subject.to_string(),
        body_text: format!(
            "{body}\n\n{department}\n\nYou receive this because you asked to hear from us after graduating. \
             To stop: {LINK_MARK}\n"
        ),
        unsubscribe_url: Some(unsubscribe_link.url.clone()),
        link: Some(unsubscribe_link),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mail::LinkKind;

    fn ctx() -> Context<'static> {
        Context {
            department: "Harbor Point Police Department",
            program: "Citizen Police Academy",
            class: "Class 33",
            time_zone: "America/Los_Angeles",
        }
    }

    #[test]
    fn waitlisted_applicants_learn_their_position() {
        let m = application_received(
            &ctx(),
            "a@b.co",
            "Rosa",
            ApplicationStatus::Waitlisted,
            Some(4),
            Some("2027-03-02T02:30:00Z".parse().unwrap()),
            SecretLink::new(LinkKind::ApplicantSignIn, "https://x", "t", None),
        );
        assert!(m.body_text.contains("number 4 on the waitlist"));
        assert!(
            m.body_text.contains("The class starts Monday, March 1 at 6:30 PM PST."),
            "{}",
            m.body_text
        );
        // The link travels beside the text, marked in it, never inside it.
        assert!(!m.body_text.contains("https://x/my/link/t"));
        assert_eq!(m.link.as_ref().map(|l| l.url.as_str()), Some("https://x/my/link/t"));
        assert_eq!(
            crate::domain::mail::check(m.kind, &m.body_text, Some(LinkKind::ApplicantSignIn)),
            Ok(())
        );
        assert_eq!(m.subject, "Application received: Citizen Police Academy: Class 33");
    }

    #[test]
    fn offers_state_the_local_deadline() {
        let ts: Timestamp = "2027-01-06T02:00:00Z".parse().unwrap();
        let m = seat_offered(
            &ctx(),
            "a@b.co",
            "Rosa",
            ts,
            SecretLink::new(LinkKind::ApplicantSignIn, "https://x", "l", None),
        );
        assert!(
            m.body_text.contains("Tuesday, January 5 at 6:00 PM PST"),
            "{}",
            m.body_text
        );
    }

    /// A message as its recipient reads it: what the outbox knows, then the delivered text.
    fn shown(m: &OutgoingMessage) -> String {
        let link = m.link.as_ref();
        format!(
            "kind: {}\nto: {}\nsubject: {}\nlink: {}\nunsubscribe: {}\n\n{}",
            m.kind,
            m.recipient,
            m.subject,
            link.map_or("none".to_string(), |l| format!(
                "{:?}, works until {}",
                l.kind,
                l.expires_at.map_or("it is used".to_string(), |t| t.to_string())
            )),
            m.unsubscribe_url.as_deref().unwrap_or("none"),
            crate::domain::mail::delivered_text(&m.body_text, link.map(|l| l.url.as_str())),
        )
    }

    /// Every message the service words, snapshotted: a change of wording shows up in
    /// review as a diff of what people will read (`cargo insta review` to accept it).
    #[test]
    fn every_message_as_its_recipient_reads_it() {
        use crate::domain::requests::RequestStatus;
        use ApplicationStatus::*;
        use LinkKind::*;
        let base = "https://programs.harborpoint.example";
        let at: Timestamp = "2027-03-03T02:00:00Z".parse().unwrap();
        let later = at.checked_add(jiff::SignedDuration::from_hours(3)).unwrap();
        let day = jiff::civil::date(2027, 3, 2);
        let link = |kind| SecretLink::new(kind, base, "TOKEN", Some(at));
        let (c, dept, to) = (ctx(), "Harbor Point Police Department", "rosa@example.org");
        let reminder = Reminder {
            session_id: SessionId::new(5),
            topic: "K-9 unit",
            starts_at: at,
            ends_at: later,
            place: "Community Room, 400 Lighthouse Avenue",
            what_to_bring: "A photo ID and comfortable shoes.",
            class_link: "https://programs.harborpoint.example/classes/33",
        };
        let messages = [
            application_received(&c, to, "Rosa", Confirmed, None, None, link(ApplicantSignIn)),
            application_received(&c, to, "Rosa", Waitlisted, Some(4), None, link(ApplicantSignIn)),
            application_received(&c, to, "Rosa", PendingReview, None, None, link(ApplicantSignIn)),
            application_received(&c, to, "Rosa", Entered, None, None, link(ApplicantSignIn)),
            seat_offered(&c, to, "Rosa", at, link(ApplicantSignIn)),
            offer_expired(&c, to, "Rosa"),
            withdrawn(&c, to, "Rosa"),
            access_link(dept, to, link(ApplicantSignIn)),
            lottery_result(&c, to, "Rosa", Confirmed, None, link(ApplicantSignIn)),
            lottery_result(&c, to, "Rosa", Waitlisted, Some(2), link(ApplicantSignIn)),
            class_news(
                &c,
                to,
                true,
                &format!("{base}/classes/33"),
                &format!("{base}/interest/leave/TOKEN"),
            ),
            class_news(
                &c,
                to,
                false,
                &format!("{base}/classes/33"),
                &format!("{base}/interest/leave/TOKEN"),
            ),
            review_decision(&c, to, "Rosa", true, None),
            review_decision(
                &c,
                to,
                "Rosa",
                false,
                Some("The background check could not be completed."),
            ),
            session_cancelled(&c, to, "Rosa", "K-9 unit, Tuesday, March 2"),
            session_changed(
                &c,
                to,
                "Rosa",
                "Tuesday, March 2, 6:00 PM",
                "Thursday, March 4, 6:00 PM",
            ),
            class_cancelled(&c, to, "Rosa"),
            ride_along_booked(&c, to, "Rosa", at, "Night patrol, Harbor district"),
            offer_expiring(&c, ApplicationId::new(17), to, "Rosa", at, link(ApplicantSignIn)),
            session_reminder(&c, to, "Rosa", &reminder),
            graduated(
                &c,
                to,
                "Rosa",
                &format!("{base}/certificates/ABCDE-FGHJK"),
                &format!("{base}/my"),
            ),
            needs_review(&c, "m.okafor@harborpoint-pd.example", &format!("{base}/staff/review")),
            request_received(
                dept,
                to,
                "Dana",
                "Traffic enforcement",
                RequestId::new(1042),
                link(RequestFollow),
            ),
            request_updated(
                dept,
                to,
                "Dana",
                "Traffic enforcement",
                RequestId::new(1042),
                RequestStatus::InProgress,
                "Motors officers will patrol Ocean Avenue this week.",
                &format!("{base}/requests/1042"),
            ),
            requests_waiting(
                dept,
                "m.okafor@harborpoint-pd.example",
                &format!("{base}/staff/requests"),
                day,
            ),
            request_assigned(
                dept,
                "b.harlow@harborpoint-pd.example",
                "Traffic enforcement",
                RequestId::new(1042),
                Some(day),
                &format!("{base}/staff/requests/1042"),
            ),
            survey_invitation(&c, to, "Rosa", false, link(Survey)),
            survey_invitation(&c, to, "Rosa", true, link(Survey)),
            alumni_news(
                dept,
                to,
                "Graduation night photos",
                "The photos from Class 32's graduation are up.\n\nThank you for coming.",
                link(Unsubscribe),
            ),
        ];
        for (i, m) in messages.iter().enumerate() {
            insta::assert_snapshot!(format!("{i:02}_{}", m.kind), shown(m));
        }
    }
}
