//! Taking attendance on a phone (one tap per person, no JavaScript needed) and
//! confirming graduation by the program's rule.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::{Permission, allows, may_take_attendance};
use crate::domain::graduation::{Mark, Record};
use crate::domain::{ApplicationId, ClassId, ClassStatus, SessionId};
use crate::format;
use crate::service::graduation::Standing;
use crate::store::attendance::Participant;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

struct Row {
    p: Participant,
    record: Option<Record>,
}

impl Row {
    fn mark(&self) -> Option<Mark> {
        self.record.map(|r| r.mark)
    }

    /// A mark that may be made up: the participant missed the session.
    fn missed(&self) -> bool {
        matches!(self.mark(), Some(Mark::Absent | Mark::Excused | Mark::Late))
    }
}

#[derive(Template)]
#[template(path = "staff/attendance.html")]
struct AttendancePage {
    layout: Layout,
    class_id: ClassId,
    class_name: String,
    session_id: SessionId,
    session_title: String,
    rows: Vec<Row>,
    marks: &'static [Mark],
    makeups: bool,
    late_limit: Option<u32>,
    /// Why marks cannot be taken yet (the session is ahead); the buttons are hidden.
    not_yet: Option<String>,
    /// Why marks can no longer change (graduated, cancelled); the form is hidden.
    locked: Option<&'static str>,
    /// How many marks the last save changed.
    saved: Option<usize>,
}

#[derive(Template)]
#[template(path = "staff/graduation.html")]
struct GraduationPage {
    layout: Layout,
    class_id: ClassId,
    class_name: String,
    rule: String,
    rows: Vec<Standing>,
    can_confirm: bool,
    /// Why the class cannot graduate yet (its last session is ahead).
    not_yet: Option<String>,
    completed: bool,
    ride_along: bool,
    makeups: bool,
}

async fn allowed(state: &AppState, ctx: &StaffPage, class_id: ClassId) -> Result<bool, AppError> {
    let user = &ctx.user;
    let presents = allows(user.role, Permission::Present) && state.store.presents_in(user.id, class_id).await?;
    Ok(may_take_attendance(user.role, presents))
}

/// `GET /staff/classes/{id}/sessions/{sid}`.
pub async fn sheet(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((class_id, session_id)): Id<(ClassId, SessionId)>,
    axum::extract::Query(query): axum::extract::Query<SheetQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if state.store.session_class(session_id).await? != Some(class_id) {
        return Err(AppError::NotFound("session"));
    }
    if !allowed(&state, &ctx, class_id).await? {
        return Err(AppError::Forbidden);
    }
    let class = state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let session = state
        .store
        .sessions(class_id)
        .await?
        .into_iter()
        .find(|s| s.id == session_id)
        .ok_or(AppError::NotFound("session"))?;
    let marks = state.store.class_attendance(class_id).await?;
    let rows = state
        .store
        .participants(class_id)
        .await?
        .into_iter()
        .map(|p| Row {
            record: marks.get(&(session_id, p.id)).copied(),
            p,
        })
        .collect();
    let rule = state.store.graduation_rule(class_id).await?;
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let not_yet = crate::domain::graduation::check_marking(session.starts_at, Timestamp::now())
        .err()
        .map(|e| e.message(&tz));
    let page = AttendancePage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_id,
        class_name: format!("{}: {}", class.program_name, class.name),
        session_id,
        session_title: format!(
            "Session {}: {} ({}, {})",
            session.position,
            session.topic,
            format::date_long(session.local_date),
            format::time_range(session.local_start, session.local_end)
        ),
        rows,
        marks: Mark::ALL,
        makeups: rule.max_makeups > 0,
        late_limit: rule.late_limit_minutes,
        not_yet,
        locked: crate::domain::graduation::marks_locked(class.status),
        saved: query.saved.parse().ok(),
    };
    Ok(render(&page)?.into_response())
}

/// `?saved=N` after a save.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SheetQuery {
    saved: String,
}

/// Longest lateness worth recording: a session lasts a few hours at most.
const MAX_MINUTES_LATE: u32 = 600;

fn parse_minutes_late(mark: Mark, raw: &str) -> Result<Option<u32>, AppError> {
    let raw = raw.trim();
    if mark != Mark::Late || raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<u32>() {
        Ok(n) if n <= MAX_MINUTES_LATE => Ok(Some(n)),
        _ => Err(AppError::BadRequest(format!(
            "Minutes late must be a whole number from 0 to {MAX_MINUTES_LATE}."
        ))),
    }
}

/// `POST /staff/classes/{id}/sessions/{sid}/attendance`: the whole sheet in one save
/// (`mark-{id}` and `late-{id}` per person; `all=present` marks everyone not yet marked
/// present), or one person (`application`, `mark`, `minutes_late`). Only marks that
/// change are written, so saving the sheet twice records nothing new.
pub async fn mark(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((class_id, session_id)): Id<(ClassId, SessionId)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allowed(&state, &ctx, class_id).await? {
        return Err(AppError::Forbidden);
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let parse_mark =
        |code: &str| Mark::parse(code).ok_or_else(|| AppError::BadRequest("Unknown attendance mark.".into()));
    let mut changes = Vec::new();
    let mut anchor = String::new();
    if let Some(one) = field("application") {
        let application: ApplicationId = one.parse().map_err(|_| AppError::NotFound("participant"))?;
        let mark = parse_mark(field("mark").unwrap_or_default())?;
        let record = Record {
            minutes_late: parse_minutes_late(mark, field("minutes_late").unwrap_or_default())?,
            ..Record::new(mark)
        };
        changes.push((application, record));
        anchor = format!("#p-{application}");
    } else {
        let everyone_present = field("all") == Some("present");
        let saved = state.store.class_attendance(class_id).await?;
        for p in state.store.participants(class_id).await? {
            let before = saved.get(&(session_id, p.id));
            let mark = match field(&format!("mark-{}", p.id)) {
                Some(code) => parse_mark(code)?,
                None if everyone_present && before.is_none() => Mark::Present,
                None => continue,
            };
            let record = Record {
                minutes_late: parse_minutes_late(mark, field(&format!("late-{}", p.id)).unwrap_or_default())?,
                ..Record::new(mark)
            };
            if before.is_some_and(|b| b.mark == record.mark && b.minutes_late == record.minutes_late) {
                continue;
            }
            changes.push((p.id, record));
        }
    }
    if !changes.is_empty() {
        crate::service::graduation::record_marks(
            &state.store,
            &actor(user),
            class_id,
            session_id,
            &changes,
            Timestamp::now(),
        )
        .await
        .map_err(plain_conflict)?;
    }
    let to = format!(
        "/staff/classes/{class_id}/sessions/{session_id}?saved={}{anchor}",
        changes.len()
    );
    Ok(crate::web::see_other(&to))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MakeUpForm {
    application: String,
    made_up: String,
}

/// `POST /staff/classes/{id}/sessions/{sid}/make-up`: records that a missed session was made up.
pub async fn make_up(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((class_id, session_id)): Id<(ClassId, SessionId)>,
    Form(form): Form<MakeUpForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allowed(&state, &ctx, class_id).await? {
        return Err(AppError::Forbidden);
    }
    let application: ApplicationId = form
        .application
        .parse()
        .map_err(|_| AppError::NotFound("participant"))?;
    let made_up = match form.made_up.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest("Say whether the session was made up.".into())),
    };
    if state.store.session_class(session_id).await? != Some(class_id) {
        return Err(AppError::NotFound("session"));
    }
    let at = (class_id, session_id, application);
    crate::service::graduation::record_make_up(&state.store, &actor(user), at, made_up, Timestamp::now()).await?;
    let to = format!("/staff/classes/{class_id}/sessions/{session_id}#p-{application}");
    Ok(crate::web::see_other(&to))
}

/// `GET /staff/classes/{id}/graduation`: the rule's verdict for every participant.
pub async fn graduation(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allowed(&state, &ctx, class_id).await? {
        return Err(AppError::Forbidden);
    }
    let class = state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let (rule, rows) = crate::service::graduation::verdicts(&state.store, class_id).await?;
    let ride_along = rule.ride_along_required;
    let makeups = rule.max_makeups > 0;
    let rule = rule.describe();
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let held = state
        .store
        .sessions(class_id)
        .await?
        .into_iter()
        .filter(|s| !s.cancelled)
        .map(|s| s.starts_at);
    let not_yet = (class.status != ClassStatus::Completed)
        .then(|| crate::domain::graduation::check_graduation(held, Timestamp::now()).err())
        .flatten()
        .map(|e| e.message(&tz));
    let page = GraduationPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_id,
        class_name: format!("{}: {}", class.program_name, class.name),
        rule,
        rows,
        can_confirm: allows(user.role, Permission::Graduate)
            && class.status.can_become(ClassStatus::Completed)
            && not_yet.is_none(),
        not_yet,
        completed: class.status == ClassStatus::Completed,
        ride_along,
        makeups,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /staff/classes/{id}/graduation`: the coordinator confirms the rule's verdicts.
pub async fn confirm_graduation(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::Graduate) {
        return Err(AppError::Forbidden);
    }
    match crate::service::graduation::confirm(
        &state.store,
        &state.links.base_url,
        &actor(user),
        class_id,
        Timestamp::now(),
    )
    .await
    {
        Ok(_) => Ok(crate::web::see_other(&format!("/staff/classes/{class_id}/graduation"))),
        Err(e) => Err(plain_conflict(e)),
    }
}

/// Renders a stored certificate as a PDF download.
pub async fn certificate_pdf(state: &AppState, number: &str) -> Result<Response, AppError> {
    let record = state
        .store
        .certificate(number)
        .await?
        .ok_or(AppError::NotFound("certificate"))?;
    let dept = state.store.department().await?;
    let filename = format!("certificate-{}.pdf", record.number);
    let certificate = crate::documents::certificate::Certificate {
        department: dept.map_or_else(|| "Police Department".to_string(), |d| d.name),
        full_name: record.full_name,
        program: record.program_name,
        class: record.class_name,
        completed_on: record.completed_on,
        signer: "Program coordinator".into(),
        verification: Some(crate::documents::certificate::Verification {
            url: format!("{}/certificates/{}", state.links.base_url, record.number),
            number: record.number,
        }),
    };
    super::export::pdf_response(&filename, move || crate::documents::certificate::render(&certificate)).await
}

/// `GET /staff/certificates/{number}`: staff who may see the class's roster.
pub async fn staff_certificate(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let number = crate::documents::certificate::parse_number(&number).ok_or(AppError::NotFound("certificate"))?;
    let record = state
        .store
        .certificate(&number)
        .await?
        .ok_or(AppError::NotFound("certificate"))?;
    if !allowed(&state, &ctx, record.class_id).await? {
        return Err(AppError::Forbidden);
    }
    certificate_pdf(&state, &number).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RideAlongForm {
    application: String,
    done: String,
    back: String,
}

/// `POST /staff/classes/{id}/ride-along`: record that a participant did (or did not yet
/// do) their ride-along.
pub async fn ride_along(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
    Form(form): Form<RideAlongForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allowed(&state, &ctx, class_id).await? {
        return Err(AppError::Forbidden);
    }
    let application: ApplicationId = form
        .application
        .parse()
        .map_err(|_| AppError::NotFound("participant"))?;
    let done = form.done == "yes";
    crate::service::graduation::record_ride_along(
        &state.store,
        &actor(user),
        class_id,
        application,
        done,
        Timestamp::now(),
    )
    .await?;
    let to = if form.back == "ride-alongs" {
        format!("/staff/classes/{class_id}/ride-alongs")
    } else {
        format!("/staff/classes/{class_id}/graduation")
    };
    Ok(crate::web::see_other(&to))
}

/// A refusal as the phone pages show it: too early by the clock is a conflict like any other.
fn plain_conflict(e: crate::service::Error) -> AppError {
    match e {
        crate::service::Error::Conflict { why, .. } => AppError::Conflict(why),
        other => other.into(),
    }
}
