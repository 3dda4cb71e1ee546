//! Planning pages: a new class with its sessions from a meeting pattern, and editing one
//! session (topic, date and time, place, presenters). The rules live in `crate::service::planning`
//! and `domain::schedule`, shared with the staff JSON API.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::{ClassId, RuleFailure, SessionId};
use crate::service::Error;
use crate::service::planning::{self, ClassIn, DUPLICATE_CLASS, PatternIn, failure};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewClassForm {
    program: String,
    name: String,
    capacity: String,
    location_name: String,
    location_address: String,
    opens: String,
    closes: String,
    weekday: String,
    first_date: String,
    start: String,
    end: String,
    sessions: String,
    skip: String,
    topic: String,
    place: String,
    /// Empty: the program's allocation.
    allocation: String,
}

#[derive(Template)]
#[template(path = "staff/class_new.html")]
struct NewClassPage {
    layout: Layout,
    programs: Vec<(String, String)>,
    weekdays: &'static [&'static str],
    form: NewClassForm,
    errors: Vec<RuleFailure>,
}

/// A `datetime-local` value read in the department's zone, as an instant with offset.
pub fn local_instant(value: &str, field: &'static str, tz: &TimeZone, errors: &mut Vec<RuleFailure>) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match crate::format::parse_datetime_local(value, tz) {
        Some(ts) => Some(ts.to_string()),
        None => {
            errors.push(failure(
                "datetime_format",
                field,
                "Give a date and time, like 2027-01-05 09:00.",
            ));
            None
        }
    }
}

async fn render_new(
    state: &AppState,
    ctx: &StaffPage,
    form: NewClassForm,
    errors: Vec<RuleFailure>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NewClassPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        programs: state
            .store
            .published_programs()
            .await?
            .into_iter()
            .map(|p| (p.slug, p.name))
            .collect(),
        weekdays: &WEEKDAYS,
        form,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/classes/new`.
pub async fn new_class(State(state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let form = NewClassForm {
        capacity: "30".into(),
        sessions: "12".into(),
        start: "18:30".into(),
        end: "21:00".into(),
        ..Default::default()
    };
    render_new(&state, &ctx, form, Vec::new()).await
}

/// `POST /staff/classes/new`: creates a draft class and its sessions.
pub async fn create_class(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<NewClassForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let tz = ctx.zone.clone();
    let mut errors = Vec::new();
    let capacity = form.capacity.trim().parse::<i64>().unwrap_or_else(|_| {
        errors.push(failure("capacity", "capacity", "Capacity must be a whole number."));
        0
    });
    let opens = local_instant(&form.opens, "registration_opens_at", &tz, &mut errors);
    let closes = local_instant(&form.closes, "registration_closes_at", &tz, &mut errors);
    let has_pattern = !form.first_date.trim().is_empty();
    let pattern = has_pattern.then(|| PatternIn {
        weekday: form.weekday.clone(),
        first_date: form.first_date.clone(),
        start: form.start.clone(),
        end: form.end.clone(),
        sessions: form.sessions.trim().parse().unwrap_or_else(|_| {
            errors.push(failure(
                "pattern",
                "pattern.sessions",
                "Give the number of sessions as a whole number.",
            ));
            0
        }),
        skip: form
            .skip
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        topic: Some(form.topic.clone()),
        place: Some(form.place.clone()),
    });
    let input = ClassIn {
        program: form.program.clone(),
        name: form.name.clone(),
        capacity,
        registration_opens_at: opens,
        registration_closes_at: closes,
        location_name: form.location_name.clone(),
        location_address: form.location_address.clone(),
        pattern,
        allocation: Some(form.allocation.clone()),
    };
    let created = if errors.is_empty() {
        planning::create_class(&state.store, &input, &actor(user), Timestamp::now()).await
    } else {
        Err(Error::invalid(Vec::new()))
    };
    match created {
        Ok(id) => Ok(crate::web::see_other(&format!("/staff/classes/{id}?done=created"))),
        Err(Error::Invalid { failures, .. }) => {
            errors.extend(failures);
            render_new(&state, &ctx, form, errors).await
        }
        Err(Error::Conflict {
            kind: DUPLICATE_CLASS,
            why,
        }) => render_new(&state, &ctx, form, vec![failure("duplicate", "name", why)]).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SessionForm {
    topic: String,
    description: String,
    date: String,
    start: String,
    end: String,
    place: String,
}

#[derive(Template)]
#[template(path = "staff/session_edit.html")]
struct SessionPage {
    layout: Layout,
    class_id: crate::domain::ClassId,
    class_name: String,
    session_id: crate::domain::SessionId,
    position: i64,
    form: SessionForm,
    /// `(value "unit:staff", label, checked, element id)`.
    officers: Vec<(String, String, bool, String)>,
    errors: Vec<String>,
}

/// Reads `unit:staff` pairs from the form body, where each checked box sends one
/// `presenter` field. Parsed from the raw body because repeated keys do not fit a struct.
fn presenters_from(body: &str) -> Result<Vec<(crate::domain::UnitId, Option<crate::domain::StaffId>)>, AppError> {
    let mut out = Vec::new();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    for (k, v) in pairs {
        if k != "presenter" {
            continue;
        }
        let pair = v.split_once(':').and_then(|(u, s)| {
            Some((
                u.parse::<crate::domain::UnitId>().ok()?,
                s.parse::<crate::domain::StaffId>().ok()?,
            ))
        });
        match pair {
            Some((u, s)) if !out.contains(&(u, Some(s))) => out.push((u, Some(s))),
            Some(_) => {}
            None => return Err(AppError::BadRequest("Choose presenters from the list.".into())),
        }
    }
    Ok(out)
}

async fn session_page(
    state: &AppState,
    ctx: &StaffPage,
    class_id: crate::domain::ClassId,
    session_id: crate::domain::SessionId,
    form: Option<SessionForm>,
    chosen: Option<Vec<(crate::domain::UnitId, Option<crate::domain::StaffId>)>>,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let session = state
        .store
        .sessions(class_id)
        .await?
        .into_iter()
        .find(|s| s.id == session_id)
        .ok_or(AppError::NotFound("session"))?;
    let current = state.store.session_presenter_ids(session_id).await?;
    let chosen = chosen.unwrap_or(current);
    let officers = state
        .store
        .officers_by_unit(ctx.today())
        .await?
        .into_iter()
        .map(|o| {
            let name = o
                .rank
                .map_or_else(|| o.full_name.clone(), |r| format!("{r} {}", o.full_name));
            let duty = o
                .duty
                .as_deref()
                .and_then(crate::domain::Duty::parse)
                .map(|d| format!(" ({})", d.label()))
                .unwrap_or_default();
            (
                format!("{}:{}", o.unit_id, o.id),
                format!("{}: {name}{duty}", o.unit_name),
                chosen.contains(&(o.unit_id, Some(o.id))),
                format!("p-{}-{}", o.unit_id, o.id),
            )
        })
        .collect();
    let form = form.unwrap_or_else(|| SessionForm {
        topic: session.topic.clone(),
        description: session.description.clone(),
        date: session.local_date.to_string(),
        start: session.local_start.strftime("%H:%M").to_string(),
        end: session.local_end.strftime("%H:%M").to_string(),
        place: session.place.clone(),
    });
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SessionPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_id,
        class_name: format!("{}: {}", class.program_name, class.name),
        session_id,
        position: session.position,
        form,
        officers,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/classes/{id}/sessions/{sid}/edit`.
pub async fn edit_session(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((class_id, session_id)): Id<(ClassId, SessionId)>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    if state.store.session_class(session_id).await? != Some(class_id) {
        return Err(AppError::NotFound("session"));
    }
    session_page(&state, &ctx, class_id, session_id, None, None, Vec::new()).await
}

/// `POST /staff/classes/{id}/sessions/{sid}/edit`.
pub async fn save_session(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((class_id, session_id)): Id<(ClassId, SessionId)>,
    body: String,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    if state.store.session_class(session_id).await? != Some(class_id) {
        return Err(AppError::NotFound("session"));
    }
    let form: SessionForm = serde_urlencoded::from_str(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let presenters = presenters_from(&body)?;
    let tz = ctx.zone.clone();
    let mut errors = Vec::new();
    let topic = form.topic.trim();
    if topic.is_empty() || topic.chars().count() > 120 {
        errors.push("Give the session a topic of 1 to 120 characters.".to_string());
    }
    if form.description.chars().count() > 2000 || form.place.chars().count() > 200 {
        errors.push("Keep the description under 2,000 characters and the room under 200.".to_string());
    }
    let date = form.date.trim().parse::<jiff::civil::Date>().ok();
    let start = form.start.trim().parse::<jiff::civil::Time>().ok();
    let end = form.end.trim().parse::<jiff::civil::Time>().ok();
    if date.is_none() {
        errors.push("Enter the date as YYYY-MM-DD.".to_string());
    }
    if start.is_none() || end.is_none() {
        errors.push("Enter the start and end times as HH:MM.".to_string());
    }
    // One meeting of a one-session pattern: the same DST-correct rule as generated sessions.
    let at = match (date, start, end) {
        (Some(d), Some(s), Some(e)) => match crate::domain::MeetingPattern::new(d.weekday(), d, s, e, 1, []) {
            Ok(p) => p.occurrences(&tz).into_iter().next(),
            Err(e) => {
                errors.push(format!("The session is not possible: {e}."));
                None
            }
        },
        _ => None,
    };
    let roster = state.store.officers_by_unit(ctx.today()).await?;
    if presenters
        .iter()
        .any(|(unit, staff)| !roster.iter().any(|o| o.unit_id == *unit && Some(o.id) == *staff))
    {
        errors.push("Choose presenters from the officer roster; each for their own unit.".to_string());
    }
    let Some(at) = at.filter(|_| errors.is_empty()) else {
        return session_page(&state, &ctx, class_id, session_id, Some(form), Some(presenters), errors).await;
    };
    let old = state
        .store
        .sessions(class_id)
        .await?
        .into_iter()
        .find(|s| s.id == session_id)
        .ok_or(AppError::NotFound("session"))?;
    let describe = |date: jiff::civil::Date, start: jiff::civil::Time, end: jiff::civil::Time, place: &str| {
        let mut s = format!(
            "{}, {}",
            crate::format::date_long(date),
            crate::format::time_range(start, end)
        );
        if !place.is_empty() {
            s.push_str(&format!(", {place}"));
        }
        s
    };
    let was = describe(old.local_date, old.local_start, old.local_end, &old.place);
    let place = form.place.trim();
    let is = describe(at.date, at.start.time(), at.end.time(), place);
    let moved = (!old.cancelled && was != is).then_some((was.as_str(), is.as_str()));
    let edit = crate::service::classes::SessionEdit {
        topic,
        description: form.description.trim(),
        at: &at,
        place,
        presenters: &presenters,
        moved,
    };
    let before = serde_json::json!({
        "topic": old.topic,
        "date": old.local_date.to_string(),
        "start": old.local_start.to_string(),
        "end": old.local_end.to_string(),
        "place": old.place,
    });
    match crate::service::classes::edit_session(
        &state.store,
        &actor(user),
        class_id,
        session_id,
        &edit,
        before,
        Timestamp::now(),
    )
    .await
    {
        Ok(_) => Ok(crate::web::see_other(&format!(
            "/staff/classes/{class_id}?done=session"
        ))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DetailsForm {
    name: String,
    location_name: String,
    location_address: String,
    opens: String,
    closes: String,
    /// `first_come` or `lottery`.
    allocation: String,
}

#[derive(Template)]
#[template(path = "staff/class_edit.html")]
struct DetailsPage {
    layout: Layout,
    class_id: crate::domain::ClassId,
    class_name: String,
    /// Only a draft may change how it gives seats.
    allocation_locked: bool,
    form: DetailsForm,
    errors: Vec<RuleFailure>,
}

async fn details_page(
    ctx: &StaffPage,
    class: &crate::store::catalog::Class,
    form: DetailsForm,
    errors: Vec<RuleFailure>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DetailsPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_id: class.id,
        class_name: format!("{}: {}", class.program_name, class.name),
        allocation_locked: class.status != crate::domain::ClassStatus::Draft,
        form,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/classes/{id}/edit`: name, place and registration window.
pub async fn edit_class(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let class = state.store.class(id).await?.ok_or(AppError::NotFound("class"))?;
    let tz = ctx.zone.clone();
    let form = DetailsForm {
        name: class.name.clone(),
        location_name: class.location_name.clone(),
        location_address: class.location_address.clone(),
        opens: class
            .registration_opens_at
            .map(|t| crate::format::datetime_local(t, &tz))
            .unwrap_or_default(),
        closes: class
            .registration_closes_at
            .map(|t| crate::format::datetime_local(t, &tz))
            .unwrap_or_default(),
        allocation: class.allocation.code().into(),
    };
    details_page(&ctx, &class, form, Vec::new()).await
}

/// `POST /staff/classes/{id}/edit`.
pub async fn save_class(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
    Form(form): Form<DetailsForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let class = state.store.class(id).await?.ok_or(AppError::NotFound("class"))?;
    let tz = ctx.zone.clone();
    let mut errors = Vec::new();
    let opens = local_instant(&form.opens, "registration_opens_at", &tz, &mut errors);
    let closes = local_instant(&form.closes, "registration_closes_at", &tz, &mut errors);
    let opens = planning::instant(&opens, "registration_opens_at", &mut errors);
    let closes = planning::instant(&closes, "registration_closes_at", &mut errors);
    let name = form.name.trim();
    planning::check_name_and_window(name, opens, closes, &mut errors);
    let allocation = if form.allocation.trim().is_empty() {
        class.allocation
    } else {
        crate::domain::application::Allocation::parse(form.allocation.trim()).unwrap_or_else(|| {
            errors.push(failure("allocation", "allocation", "Choose first come or lottery."));
            class.allocation
        })
    };
    if let Err(why) = crate::domain::class::allocation_change(class.status, class.allocation, allocation, closes) {
        errors.push(failure("allocation", "allocation", why));
    }
    if allocation == crate::domain::application::Allocation::Lottery
        && closes.is_none()
        && class.status != crate::domain::ClassStatus::Draft
    {
        // A published lottery must keep its draw time.
        errors.push(failure(
            "allocation",
            "registration_closes_at",
            "This class gives seats by lottery, drawn when registration closes: keep a closing time.",
        ));
    }
    if form.location_name.chars().count() > 200 || form.location_address.chars().count() > 300 {
        errors.push(failure(
            "location",
            "location_name",
            "Keep the place under 200 characters and the address under 300.",
        ));
    }
    if !errors.is_empty() {
        return details_page(&ctx, &class, form, errors).await;
    }
    let details = crate::store::seed::ClassDetails {
        name,
        location_name: form.location_name.trim(),
        location_address: form.location_address.trim(),
        opens,
        closes,
    };
    match planning::edit_details(
        &state.store,
        &actor(user),
        &class,
        &details,
        allocation,
        Timestamp::now(),
    )
    .await
    {
        Ok(()) => {}
        Err(crate::service::Error::Invalid { failures, .. }) => {
            let errors = failures
                .into_iter()
                .map(|f| failure("duplicate", "name", f.message))
                .collect();
            return details_page(&ctx, &class, form, errors).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(crate::web::see_other(&format!("/staff/classes/{id}?done=details")))
}
