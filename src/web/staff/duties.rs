//! Community duties: who holds which (DARE instructor, school and college resource
//! officer, field training officer, traffic), from when to when, and who held one on a
//! chosen day.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::duties::AssignmentForm;
use crate::domain::program::Duty;
use crate::domain::{DutyId, StaffId};
use crate::service::{Error, field_work};
use crate::store::duties::DutyRow;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::see_other;
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/duties.html")]
struct DutiesPage {
    layout: Layout,
    on: String,
    holders: Vec<DutyRow>,
    assignments: Vec<DutyRow>,
    officers: Vec<(StaffId, String)>,
    duties: &'static [Duty],
    schools: Vec<String>,
    form: AssignmentForm,
    errors: Vec<String>,
    today: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OnQuery {
    on: String,
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    on: Option<Date>,
    form: AssignmentForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let today = ctx.today();
    let on = on.unwrap_or(today);
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DutiesPage {
        layout: super::layout(dept.as_ref(), "/staff/duties", user),
        on: on.to_string(),
        holders: state.store.duty_holders(Duty::ALL, on).await?,
        assignments: state.store.duty_assignments().await?,
        officers: state.store.duty_candidates().await?,
        duties: Duty::ALL,
        schools: state.store.schools().await?.into_iter().map(|s| s.name).collect(),
        form,
        errors,
        today: today.to_string(),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/duties?on=YYYY-MM-DD`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<OnQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let on = match q.on.trim() {
        "" => None,
        raw => Some(
            raw.parse::<Date>()
                .map_err(|_| AppError::BadRequest("Choose a day as year-month-day.".into()))?,
        ),
    };
    page(&state, &ctx, on, AssignmentForm::default(), Vec::new()).await
}

/// `POST /staff/duties`: a new assignment.
pub async fn assign(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<AssignmentForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let (staff, assignment) = match form.check() {
        Ok(ok) => ok,
        Err(errors) => return page(&state, &ctx, None, form, errors).await,
    };
    match field_work::assign_duty(
        &state.store,
        &actor(user),
        StaffId::new(staff),
        &assignment,
        Timestamp::now(),
    )
    .await
    {
        Ok(_) => {}
        Err(Error::Invalid { failures, .. }) => {
            return page(&state, &ctx, None, form, crate::service::messages(&failures)).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other("/staff/duties"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    ends_on: String,
}

/// `POST /staff/duties/{id}/end`.
pub async fn end(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<DutyId>,
    Form(form): Form<EndForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let day: Date = form
        .ends_on
        .trim()
        .parse()
        .map_err(|_| AppError::Invalid("Enter the last day of the duty as year-month-day.".into()))?;
    field_work::end_duty(&state.store, &actor(user), id, day, Timestamp::now()).await?;
    Ok(see_other("/staff/duties"))
}
