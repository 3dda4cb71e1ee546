//! Ride-along shifts of a class: coordinators offer patrol shifts, participants book them
//! through their own link, and staff record the ride-along as done afterwards.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::{Permission, allows, may_see_roster};
use crate::domain::ride_along::{MAX_SEATS, SlotInput};
use crate::domain::{ApplicationId, ClassId, SlotId, StaffId};
use crate::format;
use crate::service::ride_alongs;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

struct SlotView {
    id: SlotId,
    when: String,
    shift: String,
    officer: String,
    seats: i64,
    /// `(application id, name, ride-along done)`.
    riders: Vec<(ApplicationId, String, bool)>,
}

#[derive(Template)]
#[template(path = "staff/ride_alongs.html")]
struct SlotsPage {
    layout: Layout,
    class_id: ClassId,
    class_name: String,
    slots: Vec<SlotView>,
    can_run: bool,
    officers: Vec<(StaffId, String)>,
    errors: Vec<String>,
    form: SlotForm,
    max_seats: i64,
    required: bool,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SlotForm {
    date: String,
    start: String,
    end: String,
    shift: String,
    seats: String,
    officer: String,
}

async fn may_see(state: &AppState, ctx: &StaffPage, class_id: ClassId) -> Result<bool, AppError> {
    let user = &ctx.user;
    let presents = allows(user.role, Permission::Present) && state.store.presents_in(user.id, class_id).await?;
    Ok(may_see_roster(user.role, presents))
}

/// `GET /staff/classes/{id}/ride-alongs`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
) -> Result<Response, AppError> {
    page(&state, &ctx, class_id, Vec::new(), SlotForm::default()).await
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    class_id: ClassId,
    errors: Vec<String>,
    form: SlotForm,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    if !may_see(state, ctx, class_id).await? {
        return Err(AppError::Forbidden);
    }
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let done: std::collections::HashMap<_, _> = state
        .store
        .participants(class_id)
        .await?
        .into_iter()
        .map(|p| (p.id, p.ride_along_done))
        .collect();
    let bookings = state.store.ride_along_bookings(class_id).await?;
    let slots = state
        .store
        .ride_along_slots(class_id)
        .await?
        .into_iter()
        .map(|s| SlotView {
            when: format::span(s.starts_at, s.ends_at, &tz),
            riders: bookings
                .iter()
                .filter(|b| b.slot_id == s.id)
                .map(|b| {
                    (
                        b.application_id,
                        format!("{} {}", b.first_name, b.last_name),
                        done.get(&b.application_id).copied().unwrap_or(false),
                    )
                })
                .collect(),
            id: s.id,
            shift: s.shift,
            officer: s.officer_name.unwrap_or_else(|| "Not assigned".into()),
            seats: s.seats,
        })
        .collect();
    let can_run = allows(user.role, Permission::RunClasses);
    let officers = if can_run {
        let mut seen = std::collections::BTreeMap::new();
        for o in state.store.officers_by_unit(ctx.today()).await? {
            let name = o
                .rank
                .map_or_else(|| o.full_name.clone(), |r| format!("{r} {}", o.full_name));
            seen.entry(o.id).or_insert(name);
        }
        let mut list: Vec<(StaffId, String)> = seen.into_iter().collect();
        list.sort_by(|a, b| a.1.cmp(&b.1));
        list
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SlotsPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_id,
        class_name: format!("{}: {}", class.program_name, class.name),
        slots,
        can_run,
        officers,
        errors,
        form,
        max_seats: MAX_SEATS,
        required: state.store.graduation_rule(class_id).await?.ride_along_required,
    };
    Ok((status, render(&page)?).into_response())
}

/// `POST /staff/classes/{id}/ride-alongs`: offer a shift.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
    Form(form): Form<SlotForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let tz = ctx.zone.clone();
    let now = Timestamp::now();
    let input = SlotInput {
        date: form.date.clone(),
        start: form.start.clone(),
        end: form.end.clone(),
        shift: form.shift.clone(),
        seats: form.seats.clone(),
    };
    let officer: Option<StaffId> = if form.officer.is_empty() {
        None
    } else {
        let id: StaffId = form
            .officer
            .parse()
            .map_err(|_| AppError::BadRequest("Unknown officer.".into()))?;
        if !state
            .store
            .officers_by_unit(ctx.today())
            .await?
            .iter()
            .any(|o| o.id == id)
        {
            return Err(AppError::BadRequest("Choose an officer from the roster.".into()));
        }
        Some(id)
    };
    let slot = match input.validate(&tz, now) {
        Ok(slot) => slot,
        Err(errors) => return page(&state, &ctx, class_id, errors, form).await,
    };
    ride_alongs::offer_shift(&state.store, &actor(user), class_id, &slot, officer, now).await?;
    Ok(crate::web::see_other(&format!("/staff/classes/{class_id}/ride-alongs")))
}

/// `POST /staff/classes/{id}/ride-alongs/{slot}/delete`: withdraw a shift nobody booked.
pub async fn delete(
    State(state): State<AppState>,
    ctx: StaffPage,
    ids: Result<Id<(ClassId, SlotId)>, AppError>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    // Those who may not run classes are refused before the path is read, bad ids or not.
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    let Id((class_id, slot)) = ids?;
    ride_alongs::remove_shift(&state.store, &actor(user), class_id, slot, Timestamp::now()).await?;
    Ok(crate::web::see_other(&format!("/staff/classes/{class_id}/ride-alongs")))
}
