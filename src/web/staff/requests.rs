//! The triage board for community requests. Coordinators see every request, set its
//! status, assign an officer whose duty fits (suggested first), set a due date and write
//! the note the requester reads; officers see and work the requests assigned to them.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use super::classes::actor;
use crate::domain::access::{Permission, allows};
use crate::domain::requests::{self, RequestStatus};
use crate::domain::{RequestId, StaffId};
use crate::format;
use crate::service::Error;
use crate::service::requests::Triage;
use crate::store::requests::{RequestFilter, ServiceRequest};
use crate::store::staff::StaffUser;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Id;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

struct Card {
    id: RequestId,
    service: &'static str,
    status: &'static str,
    place: String,
    assignee: String,
    due: String,
    overdue: bool,
    age: String,
}

#[derive(Template)]
#[template(path = "staff/requests.html")]
struct BoardPage {
    layout: Layout,
    /// `(status label, cards)` columns in workflow order.
    columns: Vec<(&'static str, Vec<Card>)>,
    mine_only: bool,
    show_closed: bool,
    /// Links to the next (older) screen of requests and back to the newest.
    older: Option<String>,
    newest: Option<String>,
}

struct Officer {
    id: StaffId,
    name: String,
    duties: String,
    fits: bool,
    chosen: bool,
}

struct HistoryRow {
    when: String,
    who: String,
    status: Option<&'static str>,
    body: String,
}

#[derive(Template)]
#[template(path = "staff/request.html")]
struct DetailPage {
    layout: Layout,
    request: ServiceRequest,
    service_name: &'static str,
    answers: Vec<(String, String)>,
    history: Vec<HistoryRow>,
    officers: Vec<Officer>,
    statuses: Vec<(&'static str, &'static str, bool)>,
    coordinator: bool,
    due: String,
    error: Option<String>,
    saved: bool,
}

/// Coordinators and admins triage; officers work their own.
fn may_triage(user: &StaffUser) -> bool {
    allows(user.role, Permission::RunClasses)
}

fn may_see(user: &StaffUser, r: &ServiceRequest) -> bool {
    may_triage(user) || (allows(user.role, Permission::FieldWork) && r.assigned_to == Some(user.id))
}

fn require_staff(user: &StaffUser) -> Result<(), AppError> {
    if allows(user.role, Permission::FieldWork) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Requests one screen of the board holds, newest first (shown oldest first per column).
const BOARD_SCREEN: i64 = 500;

/// `GET /staff/requests?closed=1&before=<id>`.
pub async fn board(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    require_staff(user)?;
    let today = ctx.today();
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let show_closed = q.contains_key("closed");
    let mine_only = !may_triage(user);
    let before = crate::domain::paging::before(q.get("before").map_or("", String::as_str))
        .map_err(|why| AppError::BadRequest(why.into()))?;
    let filter = RequestFilter {
        assigned_to: mine_only.then_some(user.id),
        statuses: if show_closed {
            Vec::new()
        } else {
            RequestStatus::ALL
                .iter()
                .copied()
                .filter(|s| *s != RequestStatus::Closed)
                .collect()
        },
        before: before.map(RequestId::new),
        limit: BOARD_SCREEN,
        ..Default::default()
    };
    let requests = state.store.requests(&filter).await?;
    let href = |before: Option<i64>| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if show_closed {
            pairs.push(("closed", "1".into()));
        }
        pairs.extend(before.map(|b| ("before", b.to_string())));
        format!(
            "/staff/requests?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let older = crate::domain::paging::older(requests.len(), BOARD_SCREEN, requests.last().map(|r| r.id.get()))
        .map(|b| href(Some(b)));
    let newest = before.map(|_| href(None));
    let now = Timestamp::now();
    let columns = RequestStatus::ALL
        .iter()
        .filter(|s| show_closed || **s != RequestStatus::Closed)
        .map(|s| {
            let mut cards: Vec<Card> = requests
                .iter()
                .filter(|r| r.status == *s)
                .map(|r| Card {
                    id: r.id,
                    service: requests::service(&r.service_code).map_or("Request", |x| x.name),
                    status: r.status.label(),
                    place: r.address.clone(),
                    assignee: r.assignee.clone().unwrap_or_default(),
                    due: r.due_on.map(|d| d.strftime("%b %-d").to_string()).unwrap_or_default(),
                    overdue: r.status != RequestStatus::Closed && r.due_on.is_some_and(|d| d < today),
                    age: format::instant(r.created_at, &tz),
                })
                .collect();
            // Oldest first: the longest waiting gets seen first.
            cards.reverse();
            (s.label(), cards)
        })
        .collect();
    let _ = now;
    let page = BoardPage {
        layout: super::layout(dept.as_ref(), "/staff/requests", user),
        columns,
        mine_only,
        show_closed,
        older,
        newest,
    };
    Ok(render(&page)?.into_response())
}

async fn detail_page(
    state: &AppState,
    ctx: &StaffPage,
    request: ServiceRequest,
    error: Option<String>,
    saved: bool,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let today = ctx.today();
    let service = requests::service(&request.service_code);
    let fitting = service.map_or(&[][..], |s| s.fitting_duties);
    let mut officers: Vec<Officer> = state
        .store
        .assignable_staff(today)
        .await?
        .into_iter()
        .map(|a| Officer {
            fits: a.duties.iter().any(|d| fitting.contains(d)),
            duties: a.duties.iter().map(|d| d.label()).collect::<Vec<_>>().join(", "),
            chosen: request.assigned_to == Some(a.id),
            id: a.id,
            name: a.name,
        })
        .collect();
    // Officers whose duty fits the request come first.
    officers.sort_by_key(|o| !o.fits);
    let history = state
        .store
        .request_updates(request.id)
        .await?
        .into_iter()
        .map(|u| HistoryRow {
            when: Timestamp::from_second(u.created_at)
                .map(|t| format::instant(t, &tz))
                .unwrap_or_default(),
            who: if u.author == "requester" {
                "Requester".into()
            } else {
                u.staff_name.unwrap_or_else(|| "Staff".into())
            },
            status: u.status.as_deref().and_then(RequestStatus::parse).map(|s| s.label()),
            body: u.body,
        })
        .collect();
    let coordinator = may_triage(user);
    let statuses = RequestStatus::ALL
        .iter()
        .filter(|s| **s == request.status || request.status.can_become(**s))
        // Officers move their own work along; assigning is the coordinators'.
        .filter(|s| {
            coordinator
                || matches!(
                    s,
                    RequestStatus::Assigned | RequestStatus::InProgress | RequestStatus::Closed
                )
        })
        .map(|s| (s.code(), s.label(), *s == request.status))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DetailPage {
        layout: super::layout(dept.as_ref(), "/staff/requests", user),
        service_name: service.map_or("Request", |s| s.name),
        answers: service
            .map(|s| requests::describe_answers(s, &request.attributes))
            .unwrap_or_default(),
        due: request.due_on.map(|d| d.to_string()).unwrap_or_default(),
        request,
        history,
        officers,
        statuses,
        coordinator,
        error,
        saved,
    };
    Ok((status, render(&page)?).into_response())
}

async fn load(state: &AppState, ctx: &StaffPage, id: RequestId) -> Result<ServiceRequest, AppError> {
    let user = &ctx.user;
    require_staff(user)?;
    let request = state.store.request(id).await?.ok_or(AppError::NotFound("request"))?;
    if !may_see(user, &request) {
        return Err(AppError::Forbidden);
    }
    Ok(request)
}

/// `GET /staff/requests/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<RequestId>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let request = load(&state, &ctx, id).await?;
    detail_page(&state, &ctx, request, None, q.contains_key("saved")).await
}

/// `POST /staff/requests/{id}`: status, assignee, due date and a note for the requester.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<RequestId>,
    body: String,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let request = load(&state, &ctx, id).await?;
    let form: BTreeMap<String, String> =
        serde_urlencoded::from_str(&body).map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
    let field = |k: &str| form.get(k).map(|s| s.trim()).unwrap_or("");
    let Some(status) = RequestStatus::parse(field("status")) else {
        return detail_page(&state, &ctx, request, Some("Choose a status.".into()), false).await;
    };
    let coordinator = may_triage(user);
    let (assigned_to, due_on) = if coordinator {
        let assigned_to = match field("assigned_to") {
            "" => None,
            v => match v.parse::<StaffId>() {
                Ok(n) => Some(n),
                Err(_) => {
                    return detail_page(
                        &state,
                        &ctx,
                        request,
                        Some("Choose an officer from the list.".into()),
                        false,
                    )
                    .await;
                }
            },
        };
        if let Some(a) = assigned_to {
            let today = ctx.today();
            if !state.store.assignable_staff(today).await?.iter().any(|o| o.id == a) {
                return detail_page(
                    &state,
                    &ctx,
                    request,
                    Some("Choose an officer from the list.".into()),
                    false,
                )
                .await;
            }
        }
        let due_on = match field("due_on") {
            "" => None,
            v => match v.parse() {
                Ok(d) => Some(d),
                Err(_) => {
                    return detail_page(
                        &state,
                        &ctx,
                        request,
                        Some("Give the due date as YYYY-MM-DD.".into()),
                        false,
                    )
                    .await;
                }
            },
        };
        (assigned_to, due_on)
    } else {
        // An officer keeps the assignment and due date the coordinator set.
        (request.assigned_to, request.due_on)
    };
    let change = Triage {
        status,
        assigned_to,
        due_on,
        note: field("note").to_string(),
    };
    match crate::service::requests::triage(
        &state.store,
        &state.links,
        (user.id, &actor(user)),
        request.id,
        &change,
        Timestamp::now(),
    )
    .await
    {
        Ok(_) => Ok(crate::web::see_other(&format!(
            "/staff/requests/{}?saved=1",
            request.id
        ))),
        Err(Error::Conflict { why, .. }) => detail_page(&state, &ctx, request, Some(why), false).await,
        Err(e) => Err(e.into()),
    }
}
