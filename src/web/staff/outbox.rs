//! The outbox for coordinators and admins: what was sent, what waits, what failed and
//! why, one message in full, and a resend for a failed one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::app::AppState;
use crate::domain::access::Permission;
use crate::error::AppError;
use crate::store::outbox::{OutboxCounts, OutboxEntry, OutboxStatus};
use crate::store::staff::{AuditRecord, StaffUser};
use crate::web::format;
use crate::web::layout::{Layout, render};

/// Rows shown at once; the search narrows further.
const PAGE_ROWS: i64 = 200;

struct Row {
    id: i64,
    kind: String,
    recipient: String,
    subject: String,
    status: &'static str,
    attempts: i64,
    last_error: String,
    created: String,
    sent: String,
    next_attempt: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "staff/outbox.html")]
struct OutboxPage {
    layout: Layout,
    counts: OutboxCounts,
    oldest_pending: String,
    status: String,
    q: String,
    rows: Vec<Row>,
    resent: bool,
}

#[derive(Template)]
#[template(path = "staff/outbox_message.html")]
struct MessagePage {
    layout: Layout,
    row: Row,
    body: String,
}

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    resent: Option<String>,
}

fn row(e: OutboxEntry, tz: &jiff::tz::TimeZone, now: Timestamp) -> Row {
    Row {
        id: e.id,
        kind: e.kind.replace('_', " "),
        recipient: e.recipient,
        subject: e.subject,
        status: e.status.code(),
        attempts: e.attempts,
        last_error: e.last_error.unwrap_or_default(),
        created: format::instant(e.created_at, tz),
        sent: e.sent_at.map(|t| format::instant(t, tz)).unwrap_or_default(),
        next_attempt: match (e.status, e.next_attempt) {
            (OutboxStatus::Pending, Some(t)) if t > now => format::instant(t, tz),
            (OutboxStatus::Pending, _) => "next round".into(),
            _ => String::new(),
        },
        failed: e.status == OutboxStatus::Failed,
    }
}

/// `GET /staff/outbox?status=&q=`.
pub async fn show(
    State(state): State<AppState>,
    user: StaffUser,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::RunClasses)?;
    let dept = state.store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let status = OutboxStatus::parse(filter.status.trim());
    let now = Timestamp::now();
    let rows = state
        .store
        .outbox_entries(status, &filter.q, PAGE_ROWS)
        .await?
        .into_iter()
        .map(|e| row(e, &tz, now))
        .collect();
    let counts = state.store.outbox_counts().await?;
    let oldest_pending = counts
        .oldest_pending
        .and_then(|s| Timestamp::from_second(s).ok())
        .map(|t| format::instant(t, &tz))
        .unwrap_or_default();
    let page = OutboxPage {
        layout: super::layout(dept.as_ref(), "/staff/outbox", &user),
        counts,
        oldest_pending,
        status: status.map_or("", OutboxStatus::code).to_string(),
        q: filter.q.trim().to_string(),
        rows,
        resent: filter.resent.is_some(),
    };
    Ok(render(&page)?.into_response())
}

fn parse_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound("message"))
}

/// `GET /staff/outbox/{id}`: one message as it was written.
pub async fn message(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::RunClasses)?;
    let (entry, body) = state
        .store
        .outbox_entry(parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound("message"))?;
    let dept = state.store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let page = MessagePage {
        layout: super::layout(dept.as_ref(), "/staff/outbox", &user),
        row: row(entry, &tz, Timestamp::now()),
        body,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /staff/outbox/{id}/resend`: a failed message goes back in the queue.
pub async fn resend(
    State(state): State<AppState>,
    user: StaffUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::RunClasses)?;
    let id = parse_id(&id)?;
    let now = Timestamp::now();
    let mut tx = state.store.begin().await?;
    if !tx.resend_outbox(id).await? {
        return match state.store.outbox_entry(id).await? {
            None => Err(AppError::NotFound("message")),
            Some(_) => Err(AppError::Conflict(
                "Only a message that failed can be sent again; this one is waiting or already sent.".into(),
            )),
        };
    }
    tx.audit(
        &AuditRecord {
            actor: &actor(&user),
            action: "outbox.resend",
            object_type: "outbox",
            object_id: id.to_string(),
            before: Some(serde_json::json!({ "status": "failed" })),
            after: Some(serde_json::json!({ "status": "pending" })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/outbox?status=pending&resent=1").into_response())
}
