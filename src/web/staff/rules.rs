//! A class's registration rules: seats held back for phone and walk-in applications, a
//! priority round for residents (or other ties), how long seat offers stay open, and
//! until when applicants may correct their details.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::class::RegistrationRules;
use crate::domain::{Affiliation, ClassId};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RulesForm {
    held_back_seats: String,
    priority_until: String,
    resides: String,
    works: String,
    studies: String,
    member: String,
    offer_hours: String,
    corrections_until: String,
}

#[derive(Template)]
#[template(path = "staff/rules.html")]
struct RulesPage {
    layout: Layout,
    class_id: ClassId,
    class_name: String,
    capacity: i64,
    form: RulesForm,
    /// `(field name, label, checked)`.
    ties: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<String>,
}

fn ties(form: &RulesForm) -> [(&'static str, Affiliation, bool); 4] {
    [
        ("resides", Affiliation::Resides, !form.resides.is_empty()),
        ("works", Affiliation::Works, !form.works.is_empty()),
        ("studies", Affiliation::Studies, !form.studies.is_empty()),
        ("member", Affiliation::Member, !form.member.is_empty()),
    ]
}

async fn render_page(
    state: &AppState,
    ctx: &StaffPage,
    class_id: ClassId,
    form: Option<RulesForm>,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = state
        .store
        .class_for_allocation(class_id)
        .await?
        .ok_or(AppError::NotFound("class"))?;
    let tz = TimeZone::get(&class.time_zone).unwrap_or(TimeZone::UTC);
    let form = form.unwrap_or_else(|| {
        let has = |a| {
            if class.priority_affiliations.contains(&a) {
                "yes".to_string()
            } else {
                String::new()
            }
        };
        RulesForm {
            held_back_seats: class.held_back_seats.to_string(),
            priority_until: class
                .priority_until
                .map(|t| crate::format::datetime_local(t, &tz))
                .unwrap_or_default(),
            resides: has(Affiliation::Resides),
            works: has(Affiliation::Works),
            studies: has(Affiliation::Studies),
            member: has(Affiliation::Member),
            offer_hours: class.offer_hours.to_string(),
            corrections_until: class
                .corrections_until
                .map(|t| crate::format::datetime_local(t, &tz))
                .unwrap_or_default(),
        }
    });
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = RulesPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_id,
        class_name: format!("{}: {}", class.program_name, class.name),
        capacity: class.capacity,
        ties: ties(&form)
            .iter()
            .map(|(name, a, on)| (*name, a.label(), *on))
            .collect(),
        form,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/classes/{id}/rules`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    render_page(&state, &ctx, class_id, None, Vec::new()).await
}

/// `POST /staff/classes/{id}/rules`.
pub async fn save(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
    Form(form): Form<RulesForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let class = state
        .store
        .class_for_allocation(class_id)
        .await?
        .ok_or(AppError::NotFound("class"))?;
    let tz = TimeZone::get(&class.time_zone).unwrap_or(TimeZone::UTC);
    let mut errors = Vec::new();
    let mut number = |raw: &str, what: &str| -> i64 {
        raw.trim().parse().unwrap_or_else(|_| {
            errors.push(format!("{what} must be a whole number."));
            -1
        })
    };
    let held_back_seats = number(&form.held_back_seats, "Held-back seats");
    let offer_hours = number(&form.offer_hours, "Offer hours");
    let mut when = |raw: &str, what: &str| -> Option<Timestamp> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let parsed = crate::format::parse_datetime_local(raw, &tz);
        if parsed.is_none() {
            errors.push(format!("Give {what} as a date and time."));
        }
        parsed
    };
    let priority_until = when(&form.priority_until, "the end of the priority round");
    let corrections_until = when(&form.corrections_until, "the corrections deadline");
    let rules = RegistrationRules {
        held_back_seats,
        priority_until,
        priority: ties(&form)
            .into_iter()
            .filter(|(_, _, on)| *on)
            .map(|(_, a, _)| a)
            .collect(),
        offer_hours,
        corrections_until,
    };
    if errors.is_empty()
        && let Err(more) = rules.validate(
            class.capacity,
            class.registration_opens_at,
            class.registration_closes_at,
        )
    {
        errors.extend(more);
    }
    if !errors.is_empty() {
        return render_page(&state, &ctx, class_id, Some(form), errors).await;
    }
    let before = RegistrationRules {
        held_back_seats: class.held_back_seats,
        priority_until: class.priority_until,
        priority: class.priority_affiliations.clone(),
        offer_hours: class.offer_hours,
        corrections_until: class.corrections_until,
    };
    crate::service::classes::set_registration_rules(
        &state.store,
        &actor(user),
        class_id,
        &before,
        &rules,
        Timestamp::now(),
    )
    .await?;
    Ok(crate::web::see_other(&format!("/staff/classes/{class_id}?done=rules")))
}
