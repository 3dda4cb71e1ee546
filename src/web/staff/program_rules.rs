//! A program's rules: who graduates (absences, lateness, make-ups, ride-along) and how
//! applicants are screened (stages and reason codes). Applies to every class of the program.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::graduation::GraduationRule;
use crate::domain::screening::Screening;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RulesForm {
    max_absences: String,
    excused_counts: String,
    late_counts: String,
    late_limit_minutes: String,
    max_makeups: String,
    ride_along_required: String,
    stages: String,
    reasons: String,
}

#[derive(Template)]
#[template(path = "staff/program_rules.html")]
struct ProgramRulesPage {
    layout: Layout,
    slug: String,
    name: String,
    form: RulesForm,
    errors: Vec<String>,
    saved: bool,
}

fn flag(on: bool) -> String {
    if on { "yes".into() } else { String::new() }
}

async fn render_page(
    state: &AppState,
    ctx: &StaffPage,
    slug: &str,
    form: Option<RulesForm>,
    errors: Vec<String>,
    saved: bool,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let program = state
        .store
        .published_program(slug)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let (rule, screening) = state
        .store
        .program_rules(program.id)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let form = form.unwrap_or_else(|| {
        let (stages, reasons) = screening.to_lines();
        RulesForm {
            max_absences: rule.max_absences.to_string(),
            excused_counts: flag(rule.excused_counts),
            late_counts: flag(rule.late_counts),
            late_limit_minutes: rule.late_limit_minutes.map(|m| m.to_string()).unwrap_or_default(),
            max_makeups: rule.max_makeups.to_string(),
            ride_along_required: flag(rule.ride_along_required),
            stages,
            reasons,
        }
    });
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ProgramRulesPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        slug: program.slug,
        name: program.name,
        form,
        errors,
        saved,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: String,
}

/// `GET /staff/programs/{slug}/settings`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(slug): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    render_page(&state, &ctx, &slug, None, Vec::new(), q.saved == "1").await
}

/// `POST /staff/programs/{slug}/settings`.
pub async fn save(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(slug): Path<String>,
    Form(form): Form<RulesForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let program = state
        .store
        .published_program(&slug)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let mut errors = Vec::new();
    let mut count = |raw: &str, what: &str| -> u32 {
        raw.trim().parse().unwrap_or_else(|_| {
            errors.push(format!("{what} must be a whole number of 0 or more."));
            0
        })
    };
    let max_absences = count(&form.max_absences, "Absences allowed");
    let max_makeups = count(&form.max_makeups, "Make-ups allowed");
    let late_limit_minutes = match form.late_limit_minutes.trim() {
        "" => None,
        raw => Some(count(raw, "The lateness limit")),
    };
    let rule = GraduationRule {
        max_absences,
        excused_counts: !form.excused_counts.is_empty(),
        late_counts: !form.late_counts.is_empty(),
        late_limit_minutes,
        max_makeups,
        ride_along_required: !form.ride_along_required.is_empty(),
    };
    if let Err(more) = rule.validate() {
        errors.extend(more);
    }
    let screening = Screening::from_lines(&form.stages, &form.reasons).unwrap_or_else(|more| {
        errors.extend(more);
        Screening::default()
    });
    if !errors.is_empty() {
        return render_page(&state, &ctx, &slug, Some(form), errors, false).await;
    }
    let (old_rule, old_screening) = state
        .store
        .program_rules(program.id)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let before = (&old_rule, &old_screening);
    crate::service::programs::set_rules(
        &state.store,
        &actor(user),
        &program,
        before,
        (&rule, &screening),
        Timestamp::now(),
    )
    .await?;
    Ok(crate::web::see_other(&format!(
        "/staff/programs/{}/settings?saved=1",
        program.slug
    )))
}
