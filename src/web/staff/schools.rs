//! Schools and counselor accounts, managed by coordinators. A new counselor gets an email
//! with a link to choose their own password.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::application::looks_like_email;
use crate::domain::{Role, SchoolId};
use crate::service::staffing::ACCOUNT_EXISTS;
use crate::service::{Error, nominations};
use crate::store::schools::School;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/schools.html")]
struct SchoolsPage {
    layout: Layout,
    /// Schools, colleges and organizations.
    schools: Vec<School>,
    kinds: &'static [crate::domain::PlaceKind],
    /// `(id, name, email, schools)`.
    counselors: Vec<(crate::domain::StaffId, String, String, String)>,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SchoolsPage {
        layout: super::layout(dept.as_ref(), "/staff/schools", user),
        schools: state.store.places().await?,
        kinds: crate::domain::PlaceKind::ALL,
        counselors: state.store.counselors().await?,
        errors,
        notice,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// `GET /staff/schools`.
pub async fn show(State(state): State<AppState>, ctx: StaffPage, Query(q): Query<Done>) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let notice = match q.done.as_str() {
        "school" => Some("The school is added."),
        "counselor" => Some("The counselor's account is ready; they were emailed a link to choose a password."),
        "linked" => Some("The counselor now works for that school too."),
        _ => None,
    };
    page(&state, &ctx, Vec::new(), notice).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SchoolForm {
    name: String,
    /// A `PlaceKind` code; empty means a school.
    kind: String,
    district: String,
    address: String,
}

/// `POST /staff/schools`: adds a school.
pub async fn add_school(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<SchoolForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let name = form.name.trim();
    if name.is_empty()
        || name.chars().count() > 120
        || form.district.chars().count() > 120
        || form.address.chars().count() > 200
    {
        let e = "Give the school a name of up to 120 characters (district up to 120, address up to 200).";
        return page(&state, &ctx, vec![e.into()], None).await;
    }
    let Some(kind) = crate::domain::PlaceKind::parse(if form.kind.is_empty() {
        "school"
    } else {
        form.kind.trim()
    }) else {
        return page(&state, &ctx, vec!["Choose what kind of place it is.".into()], None).await;
    };
    let place = nominations::NewPlace {
        name,
        kind,
        district: form.district.trim(),
        address: form.address.trim(),
    };
    match nominations::add_place(&state.store, &actor(user), &place, Timestamp::now()).await {
        Ok(_) => {}
        Err(Error::Invalid { failures, .. }) => {
            return page(&state, &ctx, crate::service::messages(&failures), None).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(crate::web::see_other("/staff/schools?done=school"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CounselorForm {
    full_name: String,
    email: String,
    school: String,
}

/// `POST /staff/schools/counselors`: a counselor account for one school (more can be
/// linked later), with an emailed link to choose a password.
pub async fn add_counselor(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<CounselorForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let mut errors = Vec::new();
    let name = form.full_name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push("Enter the counselor's full name.".to_string());
    }
    let email = form.email.trim().to_lowercase();
    if !looks_like_email(&email) {
        errors.push("Enter the counselor's email address, like name@example.org.".to_string());
    }
    let school: Option<SchoolId> = form.school.parse().ok();
    let schools = state.store.schools().await?;
    if !school.is_some_and(|s| schools.iter().any(|x| x.id == s)) {
        errors.push("Choose the counselor's school.".to_string());
    }
    let Some(school) = school.filter(|_| errors.is_empty()) else {
        return page(&state, &ctx, errors, None).await;
    };
    let now = Timestamp::now();
    let account = crate::domain::department::Account {
        email: email.clone(),
        full_name: name.to_string(),
        role: Role::Counselor,
        rank: None,
        badge_number: None,
    };
    let dept = state
        .store
        .department()
        .await?
        .map_or_else(|| "Police Department".to_string(), |d| d.name);
    let invited =
        nominations::invite_counselor(&state.store, &state.links, &dept, &account, school, &actor(user), now).await;
    match invited {
        Ok(_) => {}
        Err(Error::Conflict {
            kind: ACCOUNT_EXISTS, ..
        }) => {
            return page(
                &state,
                &ctx,
                vec!["An account with that email already exists.".into()],
                None,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(crate::web::see_other("/staff/schools?done=counselor"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    counselor: String,
    school: String,
}

/// `POST /staff/schools/link`: a counselor works for one more school.
pub async fn link(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<LinkForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let counselors = state.store.counselors().await?;
    let schools = state.store.schools().await?;
    let counselor = counselors
        .iter()
        .find(|c| c.0.to_string() == form.counselor)
        .ok_or(AppError::NotFound("counselor"))?
        .0;
    let school = schools
        .iter()
        .find(|s| s.id.to_string() == form.school)
        .ok_or(AppError::NotFound("school"))?
        .id;
    nominations::link_counselor(&state.store, &actor(user), counselor, school, Timestamp::now()).await?;
    Ok(crate::web::see_other("/staff/schools?done=linked"))
}
