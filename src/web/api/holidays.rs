//! The department's holidays through the staff JSON API: list a year, add one, add a
//! year's US federal holidays, remove one. Admin and coordinator tokens only, as on the
//! staff page; every change is audited. Meeting patterns skip these days.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::staff::ApiClient;
use crate::domain::RuleFailure;
use crate::domain::access::{Permission, allows};
use crate::domain::holidays::{self, Holiday};
use crate::domain::schedule::{FIRST_YEAR, LAST_YEAR};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, problem_response, problem_with_errors};

/// A holiday to add.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayIn {
    /// `YYYY-MM-DD`, the local date.
    pub date: String,
    pub name: String,
}

/// A year whose US federal holidays to add.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FederalIn {
    pub year: i16,
}

/// A year's holidays.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HolidaysOut {
    pub year: i16,
    pub holidays: Vec<Holiday>,
}

/// How many federal holidays were new (days that had a holiday keep theirs).
#[derive(Serialize, utoipa::ToSchema)]
pub struct FederalOut {
    pub added: usize,
    pub holidays: Vec<Holiday>,
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
pub struct YearParam {
    /// The year; the department's current year when absent.
    pub year: Option<i16>,
}

fn refuse(client: &ApiClient) -> Option<Response> {
    (!allows(client.role, Permission::RunClasses)).then(|| {
        problem_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This token's role may not manage holidays.",
        )
    })
}

fn invalid(messages: Vec<String>) -> Response {
    let errors: Vec<RuleFailure> = messages
        .into_iter()
        .map(|message| RuleFailure {
            rule: "holiday",
            field: "body".into(),
            message,
        })
        .collect();
    problem_with_errors(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-holiday",
        "The holiday is missing something or wrong.",
        &errors,
    )
}

async fn year_list(state: &AppState, year: i16) -> Result<Vec<Holiday>, AppError> {
    let from = Date::new(year, 1, 1).map_err(|_| AppError::BadRequest("No such year.".into()))?;
    let to = Date::new(year, 12, 31).map_err(|_| AppError::BadRequest("No such year.".into()))?;
    Ok(state.store.holidays_between(from, to).await?)
}

/// The department's holidays in a year.
#[utoipa::path(get, path = "/api/v1/holidays", tag = "staff", params(YearParam), security(("bearer" = [])),
    responses((status = 200, body = HolidaysOut), (status = 400, body = crate::web::error::Problem),
              (status = 401, body = crate::web::error::Problem), (status = 403, body = crate::web::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    client: ApiClient,
    Query(q): Query<YearParam>,
) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    let year = match q.year {
        Some(y) if (FIRST_YEAR..=LAST_YEAR).contains(&y) => y,
        Some(_) => return Err(AppError::BadRequest(format!("Give a year from {FIRST_YEAR} to {LAST_YEAR}.")).into()),
        None => state
            .store
            .department_name_zone()
            .await
            .map(|(_, tz)| Timestamp::now().to_zoned(tz).year())?,
    };
    let holidays = year_list(&state, year).await?;
    Ok(Json(HolidaysOut { year, holidays }).into_response())
}

/// Adds a holiday (409 `holiday-exists` when the date has one).
#[utoipa::path(post, path = "/api/v1/holidays", tag = "staff", request_body = HolidayIn, security(("bearer" = [])),
    responses((status = 201, body = Holiday), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 409, body = crate::web::error::Problem),
              (status = 422, body = crate::web::error::Problem)))]
pub async fn add(State(state): State<AppState>, client: ApiClient, body: Bytes) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    let input: HolidayIn = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => return Ok(invalid(vec![e.to_string()])),
    };
    let holiday = match holidays::parse(&input.date, &input.name) {
        Ok(h) => h,
        Err(problems) => return Ok(invalid(problems)),
    };
    let who = format!("token:{}", client.name);
    if !crate::service::holidays::add(&state.store, &who, &holiday, Timestamp::now()).await? {
        return Ok(problem_response(
            StatusCode::CONFLICT,
            "holiday-exists",
            "That date already has a holiday; remove it first to rename it.",
        ));
    }
    Ok((StatusCode::CREATED, Json(holiday)).into_response())
}

/// Adds a year's US federal holidays, on the days they are observed.
#[utoipa::path(post, path = "/api/v1/holidays/federal", tag = "staff", request_body = FederalIn, security(("bearer" = [])),
    responses((status = 200, body = FederalOut), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 422, body = crate::web::error::Problem)))]
pub async fn federal(State(state): State<AppState>, client: ApiClient, body: Bytes) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    let year = match serde_json::from_slice::<FederalIn>(&body) {
        Ok(FederalIn { year }) if (FIRST_YEAR..=LAST_YEAR).contains(&year) => year,
        Ok(_) => return Ok(invalid(vec![format!("Give a year from {FIRST_YEAR} to {LAST_YEAR}.")])),
        Err(e) => return Ok(invalid(vec![e.to_string()])),
    };
    let who = format!("token:{}", client.name);
    let added = crate::service::holidays::add_federal(&state.store, &who, year, Timestamp::now()).await?;
    let holidays = year_list(&state, year).await?;
    Ok(Json(FederalOut { added, holidays }).into_response())
}

/// Removes the holiday on a date.
#[utoipa::path(delete, path = "/api/v1/holidays/{date}", tag = "staff",
    params(("date" = String, Path, description = "The holiday's date, YYYY-MM-DD")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    client: ApiClient,
    Path(date): Path<String>,
) -> Result<Response, ApiError> {
    if let Some(r) = refuse(&client) {
        return Ok(r);
    }
    let date: Date = date.parse().map_err(|_| AppError::NotFound("holiday"))?;
    let who = format!("token:{}", client.name);
    if !crate::service::holidays::remove(&state.store, &who, date, Timestamp::now()).await? {
        return Err(AppError::NotFound("holiday").into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
