//! The department's holidays, by year: add one, remove one, or add the usual US federal
//! holidays of a year in one step. Meeting patterns and copied classes skip these days.
//! Admins and coordinators only; every change is audited.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::holidays;
use crate::format;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/holidays.html")]
struct HolidaysPage {
    layout: Layout,
    year: i16,
    /// Years to switch to: those with holidays, this year's neighbours and the one shown.
    years: Vec<i16>,
    /// `(date value, date in words, name)`.
    holidays: Vec<(String, String, String)>,
    form: AddForm,
    errors: Vec<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
    done: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AddForm {
    date: String,
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DateForm {
    date: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearForm {
    year: String,
}

/// Reads a year in the planner's range; anything else is the current year.
fn year_or(raw: &str, today: Date) -> i16 {
    raw.trim()
        .parse::<i16>()
        .ok()
        .filter(|y| (crate::domain::schedule::FIRST_YEAR..=crate::domain::schedule::LAST_YEAR).contains(y))
        .unwrap_or(today.year())
}

fn year_span(year: i16) -> (Date, Date) {
    (
        Date::new(year, 1, 1).unwrap_or(Date::ZERO),
        Date::new(year, 12, 31).unwrap_or(Date::ZERO),
    )
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    year: i16,
    form: AddForm,
    errors: Vec<String>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let today = ctx.today();
    let (from, to) = year_span(year);
    let holidays = state
        .store
        .holidays_between(from, to)
        .await?
        .into_iter()
        .map(|h| (h.date.to_string(), format::date_long(h.date), h.name))
        .collect();
    let mut years = state.store.holiday_years().await?;
    years.extend([today.year() - 1, today.year(), today.year() + 1, year]);
    years.sort_unstable();
    years.dedup();
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = HolidaysPage {
        layout: super::layout(dept.as_ref(), "/staff/holidays", user),
        year,
        years,
        holidays,
        form,
        errors,
        notice,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/holidays?year=2027`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let year = year_or(&q.year, ctx.today());
    let notice = match q.done.as_str() {
        "added" => Some("The holiday is added; new classes skip it.".to_string()),
        "removed" => Some("The holiday is removed.".to_string()),
        n if n.starts_with("federal-") => Some(format!(
            "Added {} federal holiday{}; days that already had a holiday kept theirs.",
            &n[8..],
            if &n[8..] == "1" { "" } else { "s" }
        )),
        _ => None,
    };
    page(&state, &ctx, year, AddForm::default(), Vec::new(), notice).await
}

/// `POST /staff/holidays`: adds one holiday.
pub async fn add(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<AddForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let today = ctx.today();
    let holiday = match holidays::parse(&form.date, &form.name) {
        Ok(h) => h,
        Err(errors) => {
            let year = form.date.get(..4).map_or(today.year(), |y| year_or(y, today));
            return page(&state, &ctx, year, form, errors, None).await;
        }
    };
    if !crate::service::holidays::add(&state.store, &actor(user), &holiday, Timestamp::now()).await? {
        let year = holiday.date.year();
        let e = format!("{} already has a holiday.", format::date_long(holiday.date));
        return page(&state, &ctx, year, form, vec![e], None).await;
    }
    Ok(crate::web::see_other(&format!(
        "/staff/holidays?year={}&done=added",
        holiday.date.year()
    )))
}

/// `POST /staff/holidays/remove`: removes the holiday on a date.
pub async fn remove(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<DateForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let date: Date = form.date.trim().parse().map_err(|_| AppError::NotFound("holiday"))?;
    if !crate::service::holidays::remove(&state.store, &actor(user), date, Timestamp::now()).await? {
        return Err(AppError::NotFound("holiday"));
    }
    Ok(crate::web::see_other(&format!(
        "/staff/holidays?year={}&done=removed",
        date.year()
    )))
}

/// `POST /staff/holidays/federal`: adds the year's US federal holidays, keeping any
/// holiday the department already has on one of those days.
pub async fn federal(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<YearForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let year: i16 = form
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (crate::domain::schedule::FIRST_YEAR..=crate::domain::schedule::LAST_YEAR).contains(y))
        .ok_or_else(|| AppError::BadRequest("Choose a year from 1970 to 2200.".into()))?;
    let added = crate::service::holidays::add_federal(&state.store, &actor(user), year, Timestamp::now()).await?;
    Ok(crate::web::see_other(&format!(
        "/staff/holidays?year={year}&done=federal-{added}"
    )))
}
