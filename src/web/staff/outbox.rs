//! The outbox for coordinators and admins: what was sent, what waits, what failed and
//! why, one message's text, and a resend for a failed one.
//!
//! A private link in a message (a sign-in, a password reset, a consent form) is never
//! shown: staff read what kind of link it was and until when it works (domain::mail).
//! Mail about staff accounts is listed only to administrators.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::{self, Permission};
use crate::domain::{MessageId, mail};
use crate::format;
use crate::notify::resend::ResendError;
use crate::store::outbox::{OutboxCounts, OutboxEntry, OutboxStatus};
use crate::store::staff::StaffUser;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Id;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

/// Rows shown at once; the search narrows further.
const PAGE_ROWS: i64 = 200;

struct Row {
    id: MessageId,
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
    /// What private link the message carries, and until when it works.
    link: Option<String>,
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
    /// Links to the next (older) screen and back to the newest.
    older: Option<String>,
    newest: Option<String>,
    /// The search window ended before the screen filled.
    searched_window: bool,
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
    /// The next screen's cursor: messages older than this id.
    #[serde(default)]
    before: String,
}

/// Until when a message's private link works, in words.
fn validity(e: &OutboxEntry, tz: &jiff::tz::TimeZone, now: Timestamp) -> String {
    match e.link_expires_at {
        Some(t) if t <= now => format!("expired {}", format::instant(t, tz)),
        Some(t) => format!("valid until {}", format::instant(t, tz)),
        None => String::new(),
    }
}

fn row(e: OutboxEntry, tz: &jiff::tz::TimeZone, now: Timestamp) -> Row {
    let link = e.link_kind.map(|kind| mail::describe(kind, &validity(&e, tz, now)));
    Row {
        link,
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
    ctx: StaffPage,
    Query(filter): Query<Filter>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let status = OutboxStatus::parse(filter.status.trim());
    let now = Timestamp::now();
    let before = crate::domain::paging::before(&filter.before).map_err(|why| AppError::BadRequest(why.into()))?;
    let screen = state
        .store
        .outbox_screen(status, &filter.q, sees_staff_account_mail(user), before, PAGE_ROWS)
        .await?;
    let href = |before: Option<i64>| {
        let mut pairs = vec![
            ("status", status.map_or("", OutboxStatus::code).to_string()),
            ("q", filter.q.trim().to_string()),
        ];
        pairs.extend(before.map(|b| ("before", b.to_string())));
        format!(
            "/staff/outbox?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let (older, newest) = (screen.older.map(|b| href(Some(b))), before.map(|_| href(None)));
    let searched_window = screen.searched_window;
    let rows = screen.rows.into_iter().map(|e| row(e, &tz, now)).collect();
    let counts = state.store.outbox_counts().await?;
    let oldest_pending = counts
        .oldest_pending
        .and_then(|s| Timestamp::from_second(s).ok())
        .map(|t| format::instant(t, &tz))
        .unwrap_or_default();
    let page = OutboxPage {
        layout: super::layout(dept.as_ref(), "/staff/outbox", user),
        counts,
        oldest_pending,
        status: status.map_or("", OutboxStatus::code).to_string(),
        q: filter.q.trim().to_string(),
        rows,
        resent: filter.resent.is_some(),
        older,
        newest,
        searched_window,
    };
    Ok(render(&page)?.into_response())
}

/// Whether `user` may see mail about staff accounts (password links).
fn sees_staff_account_mail(user: &StaffUser) -> bool {
    access::allows(user.role, Permission::Configure)
}

/// `GET /staff/outbox/{id}`: one message as it was written, its private link described.
pub async fn message(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<MessageId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let (entry, text) = state
        .store
        .outbox_entry(id, sees_staff_account_mail(user))
        .await?
        .ok_or(AppError::NotFound("message"))?;
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let row = row(entry, &tz, Timestamp::now());
    let body = mail::staff_text(&text, row.link.as_deref());
    let page = MessagePage {
        layout: super::layout(dept.as_ref(), "/staff/outbox", user),
        row,
        body,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /staff/outbox/{id}/resend`: a failed message goes back in the queue, with a
/// fresh private link if it carries one.
pub async fn resend(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<MessageId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    // Staff-account mail is not even listed to those who may not see it.
    if state
        .store
        .outbox_entry(id, sees_staff_account_mail(user))
        .await?
        .is_none()
    {
        return Err(AppError::NotFound("message"));
    }
    match crate::notify::resend::resend(&state.store, &actor(user), id, Timestamp::now()).await {
        Ok(()) => Ok(Redirect::to("/staff/outbox?status=pending&resent=1").into_response()),
        Err(ResendError::NotFound) => Err(AppError::NotFound("message")),
        Err(ResendError::Store(e)) => Err(e.into()),
        Err(e) => Err(AppError::Conflict(e.to_string())),
    }
}
