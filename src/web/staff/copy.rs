//! Copying a class to the next semester: a form, a preview of the generated sessions
//! (no JavaScript: the same form posts with `step=preview`, then `step=save`), and a
//! draft class saved in one transaction. The rules are in `crate::service::planning` and
//! `domain::schedule::copy_dates`, shared with the staff JSON API.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use super::planning::local_instant;
use crate::domain::ClassId;
use crate::domain::access::Permission;
use crate::format;
use crate::service::planning::{self, CopyIn, CopyPlan};
use crate::service::{Error, messages};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CopyForm {
    name: String,
    first_date: String,
    capacity: String,
    opens: String,
    closes: String,
    step: String,
}

/// The preview as shown: `(position, date, time, topic, place, presenters)` per session.
struct Preview {
    sessions: Vec<(i64, String, String, String, String, String)>,
    skipped: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff/class_copy.html")]
struct CopyPage {
    layout: Layout,
    class_id: ClassId,
    class_name: String,
    /// The source's first weekday, for the hint.
    weekday: String,
    form: CopyForm,
    errors: Vec<String>,
    preview: Option<Preview>,
}

fn preview(plan: &CopyPlan) -> Preview {
    Preview {
        sessions: plan
            .sessions
            .iter()
            .map(|s| {
                (
                    s.position,
                    format::date_long(s.at.date),
                    format::time_range(s.at.start.time(), s.at.end.time()),
                    s.topic.clone(),
                    s.place.clone(),
                    if s.presenter_names.is_empty() {
                        "—".to_string()
                    } else {
                        s.presenter_names.join("; ")
                    },
                )
            })
            .collect(),
        skipped: plan
            .skipped
            .iter()
            .map(|h| format!("{} ({})", h.name, format::date_long(h.date)))
            .collect(),
    }
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    class_id: ClassId,
    form: CopyForm,
    errors: Vec<String>,
    plan: Option<&CopyPlan>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let weekday = state
        .store
        .sessions(class_id)
        .await?
        .into_iter()
        .find(|s| !s.cancelled)
        .map_or_else(String::new, |s| s.local_date.strftime("%A").to_string());
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CopyPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_id,
        class_name: format!("{}: {}", class.program_name, class.name),
        weekday,
        form,
        errors,
        preview: plan.map(preview),
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/classes/{id}/copy`.
pub async fn form(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let class = state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let form = CopyForm {
        capacity: class.capacity.to_string(),
        ..Default::default()
    };
    page(&state, &ctx, class_id, form, Vec::new(), None).await
}

/// `POST /staff/classes/{id}/copy`: `step=preview` shows the sessions, `step=save`
/// plans them again from the same fields and saves the draft.
pub async fn submit(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
    Form(form): Form<CopyForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let tz = ctx.zone.clone();
    let mut errors = Vec::new();
    let capacity = match form.capacity.trim() {
        "" => None,
        c => c.parse::<i64>().map(Some).unwrap_or_else(|_| {
            errors.push(planning::failure(
                "capacity",
                "capacity",
                "Capacity must be a whole number.",
            ));
            None
        }),
    };
    let input = CopyIn {
        name: form.name.clone(),
        first_date: form.first_date.clone(),
        capacity,
        registration_opens_at: local_instant(&form.opens, "registration_opens_at", &tz, &mut errors),
        registration_closes_at: local_instant(&form.closes, "registration_closes_at", &tz, &mut errors),
        preview: form.step != "save",
    };
    let planned = if errors.is_empty() {
        planning::plan_copy(&state.store, class_id, &input).await
    } else {
        Err(Error::invalid(Vec::new()))
    };
    let plan = match planned {
        Ok(plan) => plan,
        Err(Error::Invalid { failures, .. }) => {
            errors.extend(failures);
            return page(&state, &ctx, class_id, form, messages(&errors), None).await;
        }
        Err(Error::Conflict { why, .. }) => return page(&state, &ctx, class_id, form, vec![why], None).await,
        Err(e) => return Err(e.into()),
    };
    if form.step != "save" {
        return page(&state, &ctx, class_id, form, Vec::new(), Some(&plan)).await;
    }
    match planning::save_copy(&state.store, &plan, &actor(user), Timestamp::now()).await {
        Ok(id) => Ok(crate::web::see_other(&format!("/staff/classes/{id}?done=copied"))),
        Err(Error::Conflict { why, .. }) => page(&state, &ctx, class_id, form, vec![why], Some(&plan)).await,
        Err(Error::Invalid { failures, .. }) => page(&state, &ctx, class_id, form, messages(&failures), None).await,
        Err(e) => Err(e.into()),
    }
}
