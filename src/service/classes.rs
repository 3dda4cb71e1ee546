//! A class's life as coordinators run it: status changes, capacity, cancelling a session
//! or the whole class, editing a session and emailing the roster. Each action is one
//! transaction with its audit record and the messages it causes.

use jiff::Timestamp;

use super::Error;
use super::registrar::context;
use super::waitlist::offer_freed_seats;
use crate::domain::audit::AuditAction;
use crate::domain::{ClassId, RuleFailure, roster};
use crate::notify::{Links, messages};
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError, Tx};

/// Moves a class along its life (announce, open or close registration), tells the
/// program's interest list when a class is announced or opens, and records the change in
/// the audit log, all in one transaction.
pub async fn set_class_status(
    store: &Store,
    links: &Links,
    actor: &str,
    class_id: ClassId,
    to: crate::domain::ClassStatus,
    now: Timestamp,
) -> Result<usize, Error> {
    use crate::domain::ClassStatus;
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(Error::NotFound("class"))?;
    if !matches!(
        to,
        ClassStatus::Announced | ClassStatus::Open | ClassStatus::Closed | ClassStatus::InProgress
    ) || !class.status.can_become(to)
    {
        return Err(Error::conflict(
            "The class cannot move to that status from where it is.",
        ));
    }
    if matches!(to, ClassStatus::Announced | ClassStatus::Open) {
        crate::domain::class::ready_to_publish(class.allocation, class.registration_closes_at)
            .map_err(Error::conflict)?;
    }
    if !tx.move_class(class_id, class.status, to, now).await? {
        return Err(Error::conflict("The class changed in the meantime."));
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: AuditAction::ClassStatus,
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "status": class.status.code() })),
            after: Some(serde_json::json!({ "status": to.code() })),
        },
        now,
    )
    .await?;
    let mut told = 0;
    if matches!(to, ClassStatus::Announced | ClassStatus::Open) {
        let ctx = context(&class);
        let subscribers = tx.subscribers_of_class(class_id).await?;
        let class_link = format!("{}/classes/{class_id}", links.base_url);
        for s in &subscribers {
            let unsubscribe = format!("{}/interest/unsubscribe/{}", links.base_url, s.unsubscribe_token);
            let message = messages::class_news(&ctx, &s.email, to == ClassStatus::Open, &class_link, &unsubscribe);
            tx.enqueue(&message, now).await?;
        }
        told = subscribers.len();
    }
    tx.commit().await?;
    Ok(told)
}

/// A refused capacity: out of range is refused input, anything else a conflict named by
/// the refusal (the API's problem type).
impl From<crate::domain::CapacityRefusal> for Error {
    fn from(r: crate::domain::CapacityRefusal) -> Self {
        match r {
            crate::domain::CapacityRefusal::OutOfRange => {
                Error::invalid(vec![RuleFailure::new("capacity", "capacity", r.to_string())])
            }
            r => Error::Conflict {
                kind: r.slug(),
                why: r.to_string(),
            },
        }
    }
}

/// Changes a class's capacity; seats it frees go to the waitlist as offers at once.
/// Returns how many were offered.
pub async fn change_capacity(
    store: &Store,
    links: &Links,
    actor: &str,
    class_id: ClassId,
    capacity: i64,
    now: Timestamp,
) -> Result<usize, Error> {
    let mut tx = store.begin().await?;
    let offered = change_capacity_in(&mut tx, links, actor, class_id, capacity, now).await?;
    tx.commit().await?;
    Ok(offered)
}

/// [`change_capacity`] inside the caller's transaction, so a refusal also undoes the
/// caller's other changes (the API's PATCH changes details and capacity together).
pub async fn change_capacity_in(
    tx: &mut Tx,
    links: &Links,
    actor: &str,
    class_id: ClassId,
    capacity: i64,
    now: Timestamp,
) -> Result<usize, Error> {
    use crate::domain::{CapacityChange, CapacityRefusal, class::capacity_change};
    // The lock keeps registrations, offers and reviews out until commit, so the seats
    // counted here are still the seats held when the new capacity becomes visible.
    let mut class = tx.lock_class(class_id).await?.ok_or(Error::NotFound("class"))?;
    let held = tx.seats_held(class_id).await?;
    let CapacityChange::To(capacity) = capacity_change(class.status, class.capacity, held, capacity)? else {
        return Ok(0);
    };
    if !tx.set_capacity(class_id, capacity, now).await? {
        let held = tx.seats_held(class_id).await?;
        return Err(CapacityRefusal::BelowHeld { held }.into());
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: AuditAction::ClassCapacity,
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "capacity": class.capacity })),
            after: Some(serde_json::json!({ "capacity": capacity })),
        },
        now,
    )
    .await?;
    class.capacity = capacity;
    Ok(offer_freed_seats(tx, &class, links, now).await?)
}

/// Cancels one session and tells everyone still involved in the class, in one transaction.
pub async fn cancel_session(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    session_id: crate::domain::SessionId,
    describe: &str,
    now: Timestamp,
) -> Result<usize, Error> {
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(Error::NotFound("class"))?;
    if !tx.cancel_session(class_id, session_id).await? {
        return Err(Error::conflict(
            "That session is not part of this class or is already cancelled.",
        ));
    }
    let ctx = context(&class);
    let people: Vec<(String, String)> = tx.active_applicants(class_id).await?.into_iter().collect();
    let mut told = 0;
    for (email, first_name) in &people {
        tx.enqueue(&messages::session_cancelled(&ctx, email, first_name, describe), now)
            .await?;
        told += 1;
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: AuditAction::SessionCancel,
            object_type: "session",
            object_id: session_id.to_string(),
            before: Some(serde_json::json!({ "cancelled": false })),
            after: Some(serde_json::json!({ "cancelled": true, "notified": told })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(told)
}

/// What a cancellation would send, shown to staff before they confirm: how many people
/// hear of it and the message as it will read (with a placeholder for each name).
#[derive(Debug)]
pub struct CancellationPreview {
    /// The class as messages name it ("Citizen Police Academy, Spring 2027").
    pub course: String,
    pub recipients: i64,
    pub message: crate::store::outbox::OutgoingMessage,
}

/// The name shown in a previewed message where each recipient's first name will go.
const NAME_PLACEHOLDER: &str = "[first name]";

/// What [`cancel_class`] would send, without changing anything.
pub async fn preview_class_cancellation(store: &Store, class_id: ClassId) -> Result<CancellationPreview, Error> {
    preview(store, class_id, true, |ctx| {
        messages::class_cancelled(ctx, "", NAME_PLACEHOLDER)
    })
    .await
}

/// What [`cancel_session`] would send for the session `describe` names, without
/// changing anything.
pub async fn preview_session_cancellation(
    store: &Store,
    class_id: ClassId,
    describe: &str,
) -> Result<CancellationPreview, Error> {
    preview(store, class_id, false, |ctx| {
        messages::session_cancelled(ctx, "", NAME_PLACEHOLDER, describe)
    })
    .await
}

/// The preview of `message` for class `class_id` and everyone still involved in it;
/// `whole_class`: refused when the class itself can no longer be cancelled.
async fn preview(
    store: &Store,
    class_id: ClassId,
    whole_class: bool,
    message: impl FnOnce(&messages::Context<'_>) -> crate::store::outbox::OutgoingMessage,
) -> Result<CancellationPreview, Error> {
    let class = store
        .class_for_allocation(class_id)
        .await?
        .ok_or(Error::NotFound("class"))?;
    if whole_class && !class.status.can_become(crate::domain::ClassStatus::Cancelled) {
        return Err(Error::conflict("A completed or cancelled class cannot be cancelled."));
    }
    let ctx = context(&class);
    Ok(CancellationPreview {
        course: ctx.course(),
        recipients: store.count_active_applicants(class_id).await?,
        message: message(&ctx),
    })
}

/// Cancels a class and tells everyone still involved (seats, waitlist, lottery).
pub async fn cancel_class(store: &Store, actor: &str, class_id: ClassId, now: Timestamp) -> Result<usize, Error> {
    use crate::domain::ClassStatus;
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(Error::NotFound("class"))?;
    if !class.status.can_become(ClassStatus::Cancelled) {
        return Err(Error::conflict("A completed or cancelled class cannot be cancelled."));
    }
    tx.move_class(class_id, class.status, ClassStatus::Cancelled, now)
        .await?;
    let ctx = context(&class);
    let people = tx.active_applicants(class_id).await?;
    for (email, first_name) in &people {
        tx.enqueue(&messages::class_cancelled(&ctx, email, first_name), now)
            .await?;
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: AuditAction::ClassCancel,
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(serde_json::json!({ "status": class.status.code() })),
            after: Some(serde_json::json!({ "status": "cancelled", "notified": people.len() })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(people.len())
}

/// Which applicants a bulk message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Confirmed participants (and graduates).
    Participants,
    /// People on the waitlist.
    Waitlist,
    /// Everyone still involved.
    Everyone,
}

impl Audience {
    fn statuses(self) -> &'static [&'static str] {
        match self {
            Audience::Participants => &["confirmed", "completed"],
            Audience::Waitlist => &["waitlisted"],
            Audience::Everyone => &["entered", "pending_review", "confirmed", "waitlisted", "offered"],
        }
    }
}

/// Queues one message per recipient of a class's filtered roster, through the outbox.
pub async fn email_roster(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    audience: Audience,
    subject: &str,
    body: &str,
    now: Timestamp,
) -> Result<usize, Error> {
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(Error::NotFound("class"))?;
    let recipients = tx.recipients(class_id, audience.statuses()).await?;
    let messages: Vec<crate::store::outbox::OutgoingMessage> = recipients
        .iter()
        .map(|(email, first_name)| crate::store::outbox::OutgoingMessage {
            kind: "class_message",
            recipient: email.clone(),
            subject: format!("{} ({}: {})", subject, class.program_name, class.name),
            body_text: format!("Hello {first_name},\n\n{body}\n\n{}\n", class.department_name),
            ..Default::default()
        })
        .collect();
    tx.enqueue_many(&messages, now).await?;
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: AuditAction::ClassEmail,
            object_type: "class",
            object_id: class_id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "audience": format!("{audience:?}"), "subject": subject, "recipients": messages.len() })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(messages.len())
}

/// A session as a coordinator edits it.
pub struct SessionEdit<'a> {
    pub topic: &'a str,
    pub description: &'a str,
    pub at: &'a crate::domain::Occurrence,
    pub place: &'a str,
    /// Units presenting, each with the officer where one is named.
    pub presenters: &'a [(crate::domain::UnitId, Option<crate::domain::StaffId>)],
    /// When the date, time or place changed: how it was and how it is, for the people told.
    pub moved: Option<(&'a str, &'a str)>,
}

/// Changes a session and its presenters. When the date, time or place changed
/// (`edit.moved`), everyone still involved in the class is told, in the same
/// transaction. Returns how many were told.
pub async fn edit_session(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    session_id: crate::domain::SessionId,
    edit: &SessionEdit<'_>,
    before: serde_json::Value,
    now: Timestamp,
) -> Result<usize, Error> {
    let mut tx = store.begin().await?;
    let class = tx.lock_class(class_id).await?.ok_or(Error::NotFound("class"))?;
    tx.update_session(session_id, edit.topic, edit.description, edit.at, edit.place)
        .await?;
    tx.clear_presenters(session_id).await?;
    for (unit, staff) in edit.presenters {
        tx.add_presenter(session_id, *unit, *staff).await?;
    }
    let mut told = 0;
    if let Some((was, is)) = edit.moved {
        let ctx = context(&class);
        for (email, first_name) in tx.active_applicants(class_id).await? {
            tx.enqueue(&messages::session_changed(&ctx, &email, &first_name, was, is), now)
                .await?;
            told += 1;
        }
    }
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: AuditAction::SessionUpdate,
            object_type: "session",
            object_id: session_id.to_string(),
            before: Some(before),
            after: Some(serde_json::json!({
                "topic": edit.topic,
                "date": edit.at.date.to_string(),
                "start": edit.at.start.time().to_string(),
                "end": edit.at.end.time().to_string(),
                "place": edit.place,
                "presenters": edit.presenters,
                "notified": told,
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(told)
}

/// Sets a class's registration rules (held-back seats, priority round, offer hours,
/// corrections deadline), already checked by `RegistrationRules::validate`; `before` is
/// what the audit record shows as replaced.
pub async fn set_registration_rules(
    store: &Store,
    actor: &str,
    class_id: ClassId,
    before: &crate::domain::class::RegistrationRules,
    rules: &crate::domain::class::RegistrationRules,
    now: Timestamp,
) -> Result<(), StoreError> {
    let describe = |r: &crate::domain::class::RegistrationRules| {
        serde_json::json!({
            "held_back_seats": r.held_back_seats,
            "priority_until": r.priority_until.map(|t| t.to_string()),
            "priority": r.priority,
            "offer_hours": r.offer_hours,
            "corrections_until": r.corrections_until.map(|t| t.to_string()),
        })
    };
    let mut tx = store.begin().await?;
    tx.set_registration_rules(class_id, rules).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ClassRules,
            object_type: "class",
            object_id: class_id.to_string(),
            before: Some(describe(before)),
            after: Some(describe(rules)),
        },
        now,
    )
    .await?;
    tx.commit().await
}

/// One screen of a class roster for staff: up to [`roster::SCREEN_PAGE`] rows matching
/// `filter` after `after`, in queue order.
#[derive(Debug)]
pub struct RosterScreen {
    pub rows: Vec<crate::store::staff::RosterRow>,
    /// Where the next screen starts, when there may be more.
    pub next: Option<roster::Cursor>,
    /// The search read [`roster::SEARCH_BUDGET`] rows without filling the screen.
    pub searched_out: bool,
}

/// Reads one roster screen. The status filter runs in the database (by index); the text
/// filter runs here, a bounded number of rows at a time.
pub async fn roster_screen(
    store: &Store,
    class_id: ClassId,
    filter: &roster::RosterFilter,
    after: roster::Cursor,
) -> Result<RosterScreen, StoreError> {
    let read = if filter.text.is_empty() {
        roster::SCREEN_PAGE
    } else {
        500
    };
    let mut rows = Vec::new();
    let mut cursor = after;
    let mut scanned = 0;
    loop {
        let chunk = store.roster_page(class_id, filter.status, cursor, read as i64).await?;
        let more = chunk.len() == read;
        for row in chunk {
            scanned += 1;
            cursor = roster::Cursor {
                queue_rank: row.queue_rank,
                id: row.id,
            };
            if filter.matches(&row.status, &[&row.first_name, &row.last_name, &row.email], &row.phone) {
                rows.push(row);
                if rows.len() == roster::SCREEN_PAGE {
                    return Ok(RosterScreen {
                        rows,
                        next: Some(cursor),
                        searched_out: false,
                    });
                }
            }
        }
        if !more {
            return Ok(RosterScreen {
                rows,
                next: None,
                searched_out: false,
            });
        }
        if scanned >= roster::SEARCH_BUDGET {
            return Ok(RosterScreen {
                rows,
                next: Some(cursor),
                searched_out: true,
            });
        }
    }
}
