//! Community requests: filing one (from the public form or Open311, with the requester's
//! email in the same transaction), staff triage (status, assignee, due date, a note the
//! requester reads), and the requester's comments. Every change is audited and every
//! status change is emailed to the requester.

use jiff::Timestamp;
use jiff::civil::Date;

use super::Error;
use crate::auth::tokens;
use crate::domain::audit::AuditAction;
use crate::domain::requests::{self, RequestInput, RequestStatus, Service};
use crate::domain::{RequestId, RuleFailure, StaffId};
use crate::notify::Links;
use crate::notify::messages;
use crate::store::requests::{NewRequest, ServiceRequest};
use crate::store::staff::AuditRecord;
use crate::store::{Store, Tx};

/// A request just filed.
#[derive(Debug, Clone)]
pub struct Filed {
    pub id: RequestId,
    /// The public Open311 token.
    pub token: String,
    /// The requester's private status page.
    pub follow_link: String,
}

/// Who filed a request.
pub enum Channel<'a> {
    Web,
    Open311 { client: Option<&'a str> },
}

/// Checks and stores a request, and emails the requester a link to follow it.
pub async fn file(
    store: &Store,
    links: &Links,
    service: &Service,
    input: &RequestInput,
    channel: Channel<'_>,
    now: Timestamp,
) -> Result<Filed, Error> {
    let answers = requests::validate(service, input).map_err(Error::invalid)?;
    let follow = tokens::generate();
    let public_token = tokens::generate();
    let (channel_code, client, actor) = match channel {
        Channel::Web => ("web", None, "resident".to_string()),
        Channel::Open311 { client } => ("open311", client, format!("open311:{}", client.unwrap_or("anonymous"))),
    };
    let (department, tz) = store.department_name_zone().await?;
    let mut tx = store.begin().await?;
    let id = tx
        .insert_request(
            &NewRequest {
                service_code: service.code,
                description: input.description.trim(),
                attributes: &answers,
                address: input.address.trim(),
                lat: input.lat,
                lon: input.long,
                email: input.email.trim(),
                first_name: input.first_name.trim(),
                last_name: input.last_name.trim(),
                phone: input.phone.trim(),
                channel: channel_code,
                api_client: client,
                follow_token_hash: &tokens::hash(&follow),
                public_token: &public_token,
            },
            now,
        )
        .await?;
    let link = crate::store::outbox::SecretLink::new(
        crate::domain::mail::LinkKind::RequestFollow,
        &links.base_url,
        &follow,
        None,
    );
    let follow_link = link.url.clone();
    tx.enqueue(
        &messages::request_received(
            &department,
            input.email.trim(),
            input.first_name.trim(),
            service.name,
            id,
            link,
        ),
        now,
    )
    .await?;
    // Coordinators hear that requests wait, once a day each, not once per request.
    let today = now.to_zoned(tz).date();
    for to in tx
        .staff_emails_with(crate::domain::access::Permission::RunClasses)
        .await?
    {
        tx.enqueue(
            &messages::requests_waiting(&department, &to, &format!("{}/staff/requests", links.base_url), today),
            now,
        )
        .await?;
    }
    tx.audit(
        &AuditRecord {
            actor: &actor,
            action: AuditAction::RequestCreate,
            object_type: "request",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "service": service.code, "channel": channel_code })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Filed {
        id,
        token: public_token,
        follow_link,
    })
}

/// A staff change to a request.
#[derive(Debug, Clone)]
pub struct Triage {
    pub status: RequestStatus,
    pub assigned_to: Option<StaffId>,
    pub due_on: Option<Date>,
    /// What the requester reads (required when closing: the resolution).
    pub note: String,
}

/// Applies a staff change; returns the request as it is now.
pub async fn triage(
    store: &Store,
    links: &Links,
    staff: (StaffId, &str),
    id: RequestId,
    change: &Triage,
    now: Timestamp,
) -> Result<ServiceRequest, Error> {
    let (department, _) = store.department_name_zone().await?;
    let mut tx = store.begin().await?;
    triage_in(&mut tx, &department, links, staff, id, change, now).await?;
    tx.commit().await?;
    store.request(id).await?.ok_or(Error::NotFound("request"))
}

/// [`triage`] inside a transaction of the caller's, so a change elsewhere (a DARE class
/// planned for the request) and the requester's update commit together.
pub async fn triage_in(
    tx: &mut Tx,
    department: &str,
    links: &Links,
    staff: (StaffId, &str),
    id: RequestId,
    change: &Triage,
    now: Timestamp,
) -> Result<(), Error> {
    let note = change.note.trim();
    if note.chars().count() > 2_000 {
        return Err(Error::conflict("Keep the note under 2,000 characters."));
    }
    let before = tx.lock_request(id).await?.ok_or(Error::NotFound("request"))?;
    // Naming an officer on a new request assigns it.
    let status = if change.assigned_to.is_some()
        && before.assigned_to.is_none()
        && matches!(change.status, RequestStatus::New | RequestStatus::Acknowledged)
    {
        RequestStatus::Assigned
    } else {
        change.status
    };
    let moved = status != before.status;
    if moved && !before.status.can_become(status) {
        return Err(Error::conflict(format!(
            "A request that is {} cannot become {}.",
            before.status.label().to_lowercase(),
            status.label().to_lowercase()
        )));
    }
    if status == RequestStatus::Assigned && change.assigned_to.is_none() {
        return Err(Error::conflict("Choose the officer to assign."));
    }
    if moved && status == RequestStatus::Closed && note.is_empty() {
        return Err(Error::conflict(
            "Say how the request was resolved; the requester reads it.",
        ));
    }
    let notes = if note.is_empty() {
        before.status_notes.clone()
    } else {
        note.to_string()
    };
    tx.set_request_state(id, status, change.assigned_to, change.due_on, &notes, now)
        .await?;
    if moved || !note.is_empty() {
        tx.add_request_update(id, "staff", Some(staff.0), moved.then_some(status), note, now)
            .await?;
    }
    if (moved || !note.is_empty()) && !before.email.is_empty() {
        let service = requests::service(&before.service_code).map_or("Request", |s| s.name);
        tx.enqueue(
            &messages::request_updated(
                department,
                &before.email,
                &before.first_name,
                service,
                id,
                status,
                note,
                &{
                    // The requester's link is kept only as a hash; the message points at the
                    // page where a new one can be asked for by email.
                    format!("{}/requests/{id}", links.base_url)
                },
            ),
            now,
        )
        .await?;
    }
    if let Some(officer) = change.assigned_to.filter(|a| before.assigned_to != Some(*a))
        && let Some(to) = tx.staff_email(officer).await?
    {
        let service = requests::service(&before.service_code).map_or("Request", |s| s.name);
        let link = format!("{}/staff/requests/{id}", links.base_url);
        tx.enqueue(
            &messages::request_assigned(department, &to, service, id, change.due_on, &link),
            now,
        )
        .await?;
    }
    tx.audit(
        &AuditRecord {
            actor: staff.1,
            action: AuditAction::RequestUpdate,
            object_type: "request",
            object_id: id.to_string(),
            before: Some(serde_json::json!({
                "status": before.status.code(), "assigned_to": before.assigned_to, "due_on": before.due_on,
            })),
            after: Some(serde_json::json!({
                "status": status.code(), "assigned_to": change.assigned_to, "due_on": change.due_on, "note": !note.is_empty(),
            })),
        },
        now,
    )
    .await?;
    Ok(())
}

/// A comment from the requester, through their private link.
pub async fn comment(store: &Store, follow_token: &str, body: &str, now: Timestamp) -> Result<RequestId, Error> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::invalid(vec![RuleFailure::new(
            "comment",
            "comment",
            "Write your comment.",
        )]));
    }
    if body.chars().count() > 2_000 {
        return Err(Error::invalid(vec![RuleFailure::new(
            "comment",
            "comment",
            "Keep the comment under 2,000 characters.",
        )]));
    }
    let request = store
        .request_by_follow(&tokens::hash(follow_token))
        .await?
        .ok_or(Error::NotFound("request"))?;
    let mut tx = store.begin().await?;
    tx.add_request_update(request.id, "requester", None, None, body, now)
        .await?;
    tx.audit(
        &AuditRecord {
            actor: "requester",
            action: AuditAction::RequestComment,
            object_type: "request",
            object_id: request.id.to_string(),
            before: None,
            after: None,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(request.id)
}
