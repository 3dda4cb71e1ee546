//! The resource officers' activity log: a short form made for a phone, the officer's
//! own entries (coordinators see everyone's), and monthly figures per school.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::{Permission, allows};
use crate::domain::activity::{self, ActivityForm, ActivityKind, MAX_NOTE_CHARS, MonthSummary, Refusal};
use crate::domain::{ActivityId, SchoolId};
use crate::service::field_work;
use crate::store::activity::ActivityRow;
use crate::store::schools::School;
use crate::store::staff::StaffUser;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::see_other;
use crate::web::staff::StaffPage;

/// Who may log activities and training: officers, and coordinators and administrators
/// who also do that work. Counselors may not.
pub(super) fn may_log(user: &StaffUser) -> Result<(), AppError> {
    if allows(user.role, Permission::FieldWork) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Coordinators and administrators see every officer's entries.
fn sees_all(user: &StaffUser) -> bool {
    allows(user.role, Permission::SeeAllClasses)
}

#[derive(Template)]
#[template(path = "staff/activity.html")]
struct ActivityPage {
    layout: Layout,
    /// `None`: a new entry; `Some(id)`: editing.
    editing: Option<ActivityId>,
    form: ActivityForm,
    schools: Vec<School>,
    kinds: &'static [ActivityKind],
    errors: Vec<(&'static str, String)>,
    names: Vec<String>,
    saved: bool,
    month: String,
    previous: String,
    next: Option<String>,
    all: bool,
    entries: Vec<ActivityRow>,
    summary: Vec<MonthSummary>,
    max_note: usize,
}

impl ActivityPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

/// The first day of `YYYY-MM`.
fn month_start(raw: &str) -> Option<Date> {
    format!("{}-01", raw.trim()).parse().ok()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MonthQuery {
    month: String,
    saved: String,
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    ctx: &StaffPage,
    month: Option<Date>,
    editing: Option<ActivityId>,
    form: Option<ActivityForm>,
    errors: Vec<(&'static str, String)>,
    names: Vec<String>,
    saved: bool,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let today = ctx.today();
    let start = month.unwrap_or_else(|| today.first_of_month());
    let end = start.last_of_month();
    let all = sees_all(user);
    let entries = state.store.activities((!all).then_some(user.id), start, end).await?;
    let summary = activity::monthly(&entries.iter().map(Into::into).collect::<Vec<_>>());
    let next = start.checked_add(jiff::ToSpan::months(1)).ok().filter(|n| *n <= today);
    let status = if errors.is_empty() && names.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let dept = &ctx.department;
    let page = ActivityPage {
        layout: super::layout(dept.as_ref(), "/staff/activity", user),
        editing,
        form: form.unwrap_or_else(|| ActivityForm {
            kind: ActivityKind::Presentation.code().into(),
            occurred_on: today.to_string(),
            ..Default::default()
        }),
        schools: state.store.places().await?,
        kinds: ActivityKind::ALL,
        errors,
        names,
        saved,
        month: start.strftime("%Y-%m").to_string(),
        previous: start
            .checked_sub(jiff::ToSpan::months(1))
            .unwrap_or(start)
            .strftime("%Y-%m")
            .to_string(),
        next: next.map(|n| n.strftime("%Y-%m").to_string()),
        all,
        entries,
        summary,
        max_note: MAX_NOTE_CHARS,
    };
    Ok((status, render(&page)?).into_response())
}

fn month_of(q: &MonthQuery) -> Result<Option<Date>, AppError> {
    match q.month.trim() {
        "" => Ok(None),
        raw => month_start(raw)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest("Choose a month as year-month, e.g. 2026-11.".into())),
    }
}

/// `GET /staff/activity?month=YYYY-MM`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    may_log(user)?;
    let month = month_of(&q)?;
    page(&state, &ctx, month, None, None, Vec::new(), Vec::new(), q.saved == "1").await
}

async fn checked(
    state: &AppState,
    ctx: &StaffPage,
    form: &ActivityForm,
) -> Result<Result<activity::Activity, Refusal>, AppError> {
    let schools: Vec<SchoolId> = state.store.places().await?.into_iter().map(|s| s.id).collect();
    Ok(form.check(&schools, ctx.today()))
}

fn refused(r: Refusal) -> (Vec<(&'static str, String)>, Vec<String>) {
    match r {
        Refusal::Problems(p) => (p, Vec::new()),
        Refusal::NoteMayNameSomeone(names) => (Vec::new(), names),
    }
}

/// `POST /staff/activity`: logs an entry for the signed-in officer.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<ActivityForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    may_log(user)?;
    let a = match checked(&state, &ctx, &form).await? {
        Ok(a) => a,
        Err(r) => {
            let (errors, names) = refused(r);
            return page(&state, &ctx, None, None, Some(form), errors, names, false).await;
        }
    };
    field_work::log_activity(&state.store, &actor(user), user.id, &a, Timestamp::now()).await?;
    Ok(see_other(&format!(
        "/staff/activity?saved=1&month={}",
        a.occurred_on.strftime("%Y-%m")
    )))
}

fn form_of(r: &ActivityRow) -> ActivityForm {
    ActivityForm {
        kind: r.kind.code().into(),
        school_id: r.school_id.to_string(),
        occurred_on: r.occurred_on.to_string(),
        minutes: r.minutes.to_string(),
        people_reached: r.people_reached.to_string(),
        note: r.note.clone(),
        note_checked: String::new(),
    }
}

/// An entry the user may open: their own, or anyone's for coordinators.
async fn entry(state: &AppState, ctx: &StaffPage, id: ActivityId) -> Result<ActivityRow, AppError> {
    let user = &ctx.user;
    let row = state.store.activity(id).await?.ok_or(AppError::NotFound("activity"))?;
    if row.staff_id != user.id && !sees_all(user) {
        return Err(AppError::Forbidden);
    }
    Ok(row)
}

/// `GET /staff/activity/{id}`: the entry in the form (to change it, if it is one's own).
pub async fn edit(State(state): State<AppState>, ctx: StaffPage, Id(id): Id<ActivityId>) -> Result<Response, AppError> {
    let user = &ctx.user;
    may_log(user)?;
    let row = entry(&state, &ctx, id).await?;
    let month = Some(row.occurred_on.first_of_month());
    let editing = (row.staff_id == user.id).then_some(row.id);
    page(
        &state,
        &ctx,
        month,
        editing,
        Some(form_of(&row)),
        Vec::new(),
        Vec::new(),
        false,
    )
    .await
}

/// `POST /staff/activity/{id}`: only its author changes an entry.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ActivityId>,
    Form(form): Form<ActivityForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    may_log(user)?;
    let row = entry(&state, &ctx, id).await?;
    if row.staff_id != user.id {
        return Err(AppError::Forbidden);
    }
    let a = match checked(&state, &ctx, &form).await? {
        Ok(a) => a,
        Err(r) => {
            let (errors, names) = refused(r);
            let month = Some(row.occurred_on.first_of_month());
            return page(&state, &ctx, month, Some(row.id), Some(form), errors, names, false).await;
        }
    };
    field_work::change_activity(&state.store, &actor(user), user.id, &row, &a, Timestamp::now()).await?;
    Ok(see_other(&format!(
        "/staff/activity?saved=1&month={}",
        a.occurred_on.strftime("%Y-%m")
    )))
}

/// `GET /staff/activity/summary.csv?month=`: the month's figures per school.
pub async fn summary_csv(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    may_log(user)?;
    let start = match month_of(&q)? {
        Some(m) => m,
        None => ctx.today().first_of_month(),
    };
    let entries = state
        .store
        .activities((!sees_all(user)).then_some(user.id), start, start.last_of_month())
        .await?;
    let mut rows = vec![
        ["month", "school", "activities", "hours", "people_reached"]
            .iter()
            .map(|s| s.to_string())
            .chain(ActivityKind::ALL.iter().map(|k| k.code().to_string()))
            .collect::<Vec<_>>(),
    ];
    for m in activity::monthly(&entries.iter().map(Into::into).collect::<Vec<_>>()) {
        let mut row = vec![
            m.month.clone(),
            m.school.clone(),
            m.activities.to_string(),
            format!("{:.1}", m.hours()),
            m.people_reached.to_string(),
        ];
        for k in ActivityKind::ALL {
            row.push(
                m.by_kind
                    .iter()
                    .find(|(kind, _)| kind == k)
                    .map_or(0, |(_, n)| *n)
                    .to_string(),
            );
        }
        rows.push(row);
    }
    super::export::csv_response(&format!("activity-{}.csv", start.strftime("%Y-%m")), rows)
}
