//! Selective traffic enforcement operations: plan one (often from a resident's
//! request), record what it found, and see the speed figures.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::{Permission, allows};
use crate::domain::traffic::{self, OperationReason, PlanForm, SpeedSummary};
use crate::domain::{OperationId, RequestId, StaffId};
use crate::format;
use crate::store::traffic::{NewOperation, Operation, Results};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract;
use crate::web::layout::{Layout, render};
use crate::web::see_other;
use crate::web::staff::StaffPage;

/// An operation as the list and its page show it.
pub struct OperationView {
    pub id: OperationId,
    pub place: String,
    pub reason: &'static str,
    pub request_id: Option<RequestId>,
    pub when: String,
    pub speed_limit: u16,
    pub officers: String,
    pub results: Option<(Results, SpeedSummary)>,
}

pub fn view(o: Operation, tz: &jiff::tz::TimeZone) -> OperationView {
    OperationView {
        when: format::span(o.starts_at.as_second(), o.ends_at.as_second(), tz),
        reason: o.reason.label(),
        officers: o
            .officers
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        results: o.results.map(|r| {
            let s = traffic::speed_summary(&r.speeds, o.speed_limit);
            (r, s)
        }),
        id: o.id,
        place: o.place,
        request_id: o.request_id,
        speed_limit: o.speed_limit,
    }
}

#[derive(Template)]
#[template(path = "staff/traffic.html")]
struct ListPage {
    layout: Layout,
    operations: Vec<OperationView>,
    reasons: &'static [OperationReason],
    officers: Vec<(StaffId, String)>,
    form: PlanForm,
    errors: Vec<String>,
}

async fn list_page(
    state: &AppState,
    ctx: &StaffPage,
    form: PlanForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let tz = ctx.zone.clone();
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        layout: super::layout(dept.as_ref(), "/staff/traffic", user),
        operations: state
            .store
            .operations()
            .await?
            .into_iter()
            .map(|o| view(o, &tz))
            .collect(),
        reasons: OperationReason::ALL,
        officers: state.store.duty_candidates().await?,
        form,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FromRequest {
    request: String,
}

/// `GET /staff/traffic?request=ID`: operations, and the plan form (filled from a request).
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<FromRequest>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let mut form = PlanForm {
        speed_limit: "25".into(),
        ..Default::default()
    };
    if let Ok(id) = q.request.trim().parse::<RequestId>()
        && let Some(r) = state.store.request(id).await?
    {
        form.request_id = id.to_string();
        form.reason = OperationReason::ResidentRequest.code().into();
        form.place = r.address.clone();
    }
    list_page(&state, &ctx, form, Vec::new()).await
}

/// `POST /staff/traffic`: plans an operation. The form is read as pairs since officers repeat.
pub async fn plan(
    State(state): State<AppState>,
    ctx: StaffPage,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let Form(pairs) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let form = PlanForm {
        place: field("place"),
        reason: field("reason"),
        request_id: field("request_id"),
        date: field("date"),
        start: field("start"),
        end: field("end"),
        speed_limit: field("speed_limit"),
        officers: pairs
            .iter()
            .filter(|(k, _)| k == "officers")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let plan = match form.check(&ctx.zone.clone()) {
        Ok(p) => p,
        Err(errors) => return list_page(&state, &ctx, form, errors).await,
    };
    let mut errors = Vec::new();
    if let Some(id) = plan.request_id
        && state.store.request(id).await?.is_none()
    {
        errors.push(format!("There is no request number {id}."));
    }
    let known: Vec<StaffId> = state.store.duty_candidates().await?.iter().map(|(id, _)| *id).collect();
    if plan.officers.iter().any(|o| !known.contains(o)) {
        errors.push("Choose officers from the list.".into());
    }
    if !errors.is_empty() {
        return list_page(&state, &ctx, form, errors).await;
    }
    let now = Timestamp::now();
    let new = NewOperation {
        place: plan.place.clone(),
        reason: plan.reason,
        request_id: plan.request_id,
        starts_at: plan.starts_at,
        ends_at: plan.ends_at,
        speed_limit: plan.speed_limit,
        officers: plan.officers.clone(),
    };
    let id = crate::service::traffic::plan(&state.store, &actor(user), &new, now).await?;
    Ok(see_other(&format!("/staff/traffic/{id}")))
}

#[derive(Template)]
#[template(path = "staff/traffic_operation.html")]
struct OperationPage {
    layout: Layout,
    op: OperationView,
    stops: String,
    warnings: String,
    citations: String,
    speeds: String,
    notes: String,
    errors: Vec<String>,
}

/// Coordinators, and the officers who worked the operation, see it and record results.
async fn operation_for(state: &AppState, ctx: &StaffPage, id: OperationId) -> Result<Operation, AppError> {
    let user = &ctx.user;
    let op = state
        .store
        .operation(id)
        .await?
        .ok_or(AppError::NotFound("operation"))?;
    let worked = op.officers.iter().any(|(s, _)| *s == user.id);
    if !(allows(user.role, Permission::RunClasses) || worked) {
        return Err(AppError::Forbidden);
    }
    Ok(op)
}

fn speeds_text(speeds: &[u16]) -> String {
    speeds.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
}

/// `GET /staff/traffic/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    extract::Id(id): extract::Id<OperationId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let op = operation_for(&state, &ctx, id).await?;
    let tz = ctx.zone.clone();
    let dept = &ctx.department;
    let op = view(op, &tz);
    let (stops, warnings, citations, speeds, notes) = match &op.results {
        Some((r, _)) => (
            r.stops.to_string(),
            r.warnings.to_string(),
            r.citations.to_string(),
            speeds_text(&r.speeds),
            r.notes.clone(),
        ),
        None => Default::default(),
    };
    let page = OperationPage {
        layout: super::layout(dept.as_ref(), "/staff/traffic", user),
        op,
        stops,
        warnings,
        citations,
        speeds,
        notes,
        errors: Vec::new(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResultsForm {
    stops: String,
    warnings: String,
    citations: String,
    speeds: String,
    notes: String,
}

/// `POST /staff/traffic/{id}/results`.
pub async fn results(
    State(state): State<AppState>,
    ctx: StaffPage,
    extract::Id(id): extract::Id<OperationId>,
    extract::Form(form): extract::Form<ResultsForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let op = operation_for(&state, &ctx, id).await?;
    let mut errors = Vec::new();
    let counts = traffic::check_results(&form.stops, &form.warnings, &form.citations).unwrap_or_else(|e| {
        errors.extend(e);
        (0, 0, 0)
    });
    let speeds = traffic::parse_speeds(&form.speeds).unwrap_or_else(|e| {
        errors.push(e);
        Vec::new()
    });
    let notes = form.notes.trim().to_string();
    if notes.chars().count() > 1000 {
        errors.push("Keep the notes under 1,000 characters.".into());
    }
    if Timestamp::now() < op.starts_at {
        errors.push("Results can be recorded once the operation has started.".into());
    }
    if !errors.is_empty() {
        let tz = ctx.zone.clone();
        let dept = &ctx.department;
        let page = OperationPage {
            layout: super::layout(dept.as_ref(), "/staff/traffic", user),
            op: view(op, &tz),
            stops: form.stops,
            warnings: form.warnings,
            citations: form.citations,
            speeds: form.speeds,
            notes: form.notes,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let (stops, warnings, citations) = counts;
    let results = Results {
        stops,
        warnings,
        citations,
        speeds,
        notes,
    };
    crate::service::traffic::record_results(&state.store, &actor(user), op.id, &results, Timestamp::now()).await?;
    Ok(see_other(&format!("/staff/traffic/{}", op.id)))
}
