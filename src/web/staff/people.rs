//! Staff administration for administrators: invite by email with a role, units, rank and
//! badge number; change those; deactivate (ending sessions and tokens at once); reset
//! two-step sign-in; send a fresh invitation.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::department::{AccountInput, FieldProblem};
use crate::domain::{Role, StaffId, UnitId};
use crate::service::Error;
use crate::service::staffing::{
    ACCOUNT_EXISTS, invite_again, invite_new, reset_two_factor_of, set_account_active, update_account,
};
use crate::store::catalog::Unit;
use crate::store::people::Person;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/people.html")]
struct PeoplePage {
    layout: Layout,
    people: Vec<Person>,
    units: Vec<Unit>,
    roles: &'static [Role],
    form: AccountInput,
    chosen_units: Vec<UnitId>,
    problems: Vec<FieldProblem>,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "staff/person.html")]
struct PersonPage {
    layout: Layout,
    person: Person,
    units: Vec<Unit>,
    roles: &'static [Role],
    form: AccountInput,
    chosen_units: Vec<UnitId>,
    problems: Vec<FieldProblem>,
    notice: Option<&'static str>,
    is_self: bool,
}

impl PeoplePage {
    fn problem(&self, field: &str) -> Option<&str> {
        problem(&self.problems, field)
    }

    fn has_unit(&self, id: &UnitId) -> bool {
        self.chosen_units.contains(id)
    }
}

impl PersonPage {
    fn problem(&self, field: &str) -> Option<&str> {
        problem(&self.problems, field)
    }

    fn has_unit(&self, id: &UnitId) -> bool {
        self.chosen_units.contains(id)
    }
}

fn problem<'a>(problems: &'a [FieldProblem], field: &str) -> Option<&'a str> {
    problems.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
}

fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "invited" => "Invitation sent. The new account works once its owner chooses a password.",
        "saved" => "Saved.",
        "deactivated" => "Deactivated. Its sessions and API tokens ended; its history stays.",
        "reactivated" => "Reactivated. Send a fresh invitation if its owner needs a new password.",
        "two_factor" => "Two-step sign-in was turned off; the owner sets it up again after the next sign-in.",
        "resent" => "A fresh invitation was sent; earlier links no longer work.",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// Reads the repeated `unit` fields of a form body (a struct cannot hold them).
fn form_units(body: &str, known: &[Unit]) -> Result<(AccountInput, Vec<UnitId>), AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut input = AccountInput::default();
    let mut units = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "email" => input.email = v,
            "full_name" => input.full_name = v,
            "role" => input.role = v,
            "rank" => input.rank = v,
            "badge_number" => input.badge_number = v,
            "unit" => {
                let id: UnitId = v
                    .parse()
                    .ok()
                    .filter(|id| known.iter().any(|u| u.id == *id))
                    .ok_or_else(|| AppError::BadRequest("Choose units from the list.".into()))?;
                if !units.contains(&id) {
                    units.push(id);
                }
            }
            _ => {}
        }
    }
    Ok((input, units))
}

async fn list_page(
    state: &AppState,
    ctx: &StaffPage,
    form: AccountInput,
    chosen_units: Vec<UnitId>,
    problems: Vec<FieldProblem>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PeoplePage {
        layout: super::layout(dept.as_ref(), "/staff/people", user),
        people: state.store.people().await?,
        units: state.store.units().await?,
        roles: Role::ALL,
        form,
        chosen_units,
        problems,
        notice,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/people`: every account and the invitation form.
pub async fn list(State(state): State<AppState>, ctx: StaffPage, Query(q): Query<Done>) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let form = AccountInput {
        role: Role::Officer.code().into(),
        ..Default::default()
    };
    list_page(&state, &ctx, form, Vec::new(), Vec::new(), notice(&q.done)).await
}

/// `POST /staff/people`: invites someone by email.
pub async fn create(State(state): State<AppState>, ctx: StaffPage, body: String) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let units = state.store.units().await?;
    let (input, chosen) = form_units(&body, &units)?;
    let account = match input.check(true) {
        Ok(a) => a,
        Err(problems) => return list_page(&state, &ctx, input, chosen, problems, None).await,
    };
    let dept = state
        .store
        .department()
        .await?
        .map_or_else(|| "Police Department".to_string(), |d| d.name);
    match invite_new(
        &state.store,
        &state.links,
        &dept,
        &account,
        &chosen,
        &actor(user),
        Timestamp::now(),
    )
    .await
    {
        Ok(_) => {}
        Err(Error::Conflict {
            kind: ACCOUNT_EXISTS, ..
        }) => {
            let problems = vec![(
                "email",
                "An account with this email address exists; find it in the list below.".to_string(),
            )];
            return list_page(&state, &ctx, input, chosen, problems, None).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(crate::web::see_other("/staff/people?done=invited"))
}

async fn person_page(
    state: &AppState,
    ctx: &StaffPage,
    id: StaffId,
    edit: Option<(AccountInput, Vec<UnitId>)>,
    problems: Vec<FieldProblem>,
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let person = state
        .store
        .person(id)
        .await?
        .ok_or(AppError::NotFound("staff member"))?;
    let (form, chosen_units) = edit.unwrap_or_else(|| {
        (
            AccountInput {
                email: person.email.clone(),
                full_name: person.full_name.clone(),
                role: person.role.code().into(),
                rank: person.rank.clone().unwrap_or_default(),
                badge_number: person.badge_number.clone().unwrap_or_default(),
            },
            person.unit_ids.clone(),
        )
    });
    let dept = &ctx.department;
    let page = PersonPage {
        layout: super::layout(dept.as_ref(), "/staff/people", user),
        is_self: person.id == user.id,
        person,
        units: state.store.units().await?,
        roles: Role::ALL,
        form,
        chosen_units,
        problems,
        notice,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/people/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<StaffId>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    person_page(&state, &ctx, id, None, Vec::new(), notice(&q.done), StatusCode::OK).await
}

/// `POST /staff/people/{id}`: name, role, rank, badge number and units.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<StaffId>,
    body: String,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let person = state
        .store
        .person(id)
        .await?
        .ok_or(AppError::NotFound("staff member"))?;
    let units = state.store.units().await?;
    let (input, chosen) = form_units(&body, &units)?;
    let account = match input.check(false) {
        Ok(a) => a,
        Err(problems) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return person_page(&state, &ctx, id, Some((input, chosen)), problems, None, status).await;
        }
    };
    match update_account(&state.store, &actor(user), &person, &account, &chosen, Timestamp::now()).await {
        Ok(()) => {}
        Err(Error::Conflict { why, .. }) => {
            let problems = vec![("role", why)];
            let status = StatusCode::CONFLICT;
            return person_page(&state, &ctx, id, Some((input, chosen)), problems, None, status).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(crate::web::see_other(&format!("/staff/people/{id}?done=saved")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    active: String,
}

/// `POST /staff/people/{id}/active`: deactivate (`active=no`) or reactivate (`active=yes`).
pub async fn set_active(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<StaffId>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let active = match form.active.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Say whether the account is active: yes or no.".into(),
            ));
        }
    };
    let person = state
        .store
        .person(id)
        .await?
        .ok_or(AppError::NotFound("staff member"))?;
    set_account_active(&state.store, &actor(user), &person, active, Timestamp::now()).await?;
    let done = if active { "reactivated" } else { "deactivated" };
    Ok(crate::web::see_other(&format!("/staff/people/{id}?done={done}")))
}

/// `POST /staff/people/{id}/two-factor-reset`: for a lost phone.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<StaffId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    reset_two_factor_of(&state.store, &actor(user), id, Timestamp::now()).await?;
    Ok(crate::web::see_other(&format!("/staff/people/{id}?done=two_factor")))
}

/// `POST /staff/people/{id}/invitation`: a fresh invitation link (earlier ones stop working).
pub async fn resend(State(state): State<AppState>, ctx: StaffPage, Id(id): Id<StaffId>) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Configure)?;
    let person = state
        .store
        .person(id)
        .await?
        .ok_or(AppError::NotFound("staff member"))?;
    if !person.active {
        return Err(AppError::Conflict(
            "This account is deactivated; reactivate it before inviting its owner again.".into(),
        ));
    }
    let dept = state
        .store
        .department()
        .await?
        .map_or_else(|| "Police Department".to_string(), |d| d.name);
    invite_again(
        &state.store,
        &state.links,
        &dept,
        &person,
        &actor(user),
        Timestamp::now(),
    )
    .await?;
    Ok(crate::web::see_other(&format!("/staff/people/{id}?done=resent")))
}
