//! Reviewing one application: details, the program's screening stages (several
//! reviewers, each with an outcome, a reason code and a note), the background-check
//! status, and the decision with a reason. Sensitive fields are shown only to the roles
//! the department names.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::QuestionId;
use crate::domain::access::Permission;
use crate::domain::application::{BackgroundCheck, Decision};
use crate::domain::questions::{self, QuestionKind};
use crate::domain::screening::{self, Outcome, StageState};
use crate::domain::{ApplicationId, ApplicationStatus};
use crate::format;
use crate::service::review;
use crate::store::questions::AnswerRow;
use crate::store::screening::{NewEntry, ScreeningEntry};
use crate::store::staff::ReviewRecord;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

/// One entry as the page shows it.
struct EntryView {
    reviewer: String,
    outcome: &'static str,
    reason: String,
    note: String,
    at: String,
}

/// One answer to the program's own questions, as this reader may see it.
struct AnswerView {
    label: String,
    /// Empty when restricted.
    value: String,
    /// The staff download of a document answer.
    download: Option<String>,
    /// A sensitive answer this reader's role is not named for.
    restricted: bool,
    erased: bool,
}

/// An answer as text: the value people read, or a document's file name.
pub fn answer_text(a: &AnswerRow) -> String {
    if a.erased {
        return "(erased at the end of its retention)".into();
    }
    match QuestionKind::parse(&a.kind) {
        Some(kind) => questions::display(kind, &a.value),
        None => a.value.clone(),
    }
}

/// One stage with its state and, when the reader may see them, its entries.
struct StageView {
    code: String,
    name: String,
    state: &'static str,
    restricted: bool,
    entries: Vec<EntryView>,
}

#[derive(Template)]
#[template(path = "staff/review.html")]
struct ReviewPage {
    layout: Layout,
    a: ReviewRecord,
    class_name: String,
    checks: &'static [BackgroundCheck],
    pending: bool,
    sensitive: bool,
    answers: Vec<AnswerView>,
    stages: Vec<StageView>,
    /// Stages this reader may record an entry for: `(code, name)`.
    recordable: Vec<(String, String)>,
    outcomes: &'static [Outcome],
    reasons: Vec<(String, String)>,
    errors: Vec<String>,
    /// The stored codes in words: status, how the application came in, connection, and
    /// who reviewed it last (the audit actor without its internal id).
    status_label: &'static str,
    channel_label: &'static str,
    affiliation_label: String,
    reviewed_by: Option<String>,
}

fn back(id: ApplicationId) -> Response {
    let to = format!("/staff/applications/{id}");
    crate::web::see_other(&to)
}

/// Whether this reviewer may see the department's sensitive fields.
pub(super) async fn sees_sensitive(state: &AppState, ctx: &StaffPage) -> Result<bool, AppError> {
    let user = &ctx.user;
    let named = screening::parse_roles(&state.store.sensitive_roles().await?);
    Ok(screening::may_see_sensitive(user.role, &named))
}

/// `GET /staff/applications/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ApplicationId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Review)?;
    page(&state, &ctx, id, Vec::new()).await
}

async fn page(state: &AppState, ctx: &StaffPage, id: ApplicationId, errors: Vec<String>) -> Result<Response, AppError> {
    let user = &ctx.user;
    let a = state
        .store
        .review_record(id)
        .await?
        .ok_or(AppError::NotFound("application"))?;
    let class = state
        .store
        .class(a.class_id)
        .await?
        .ok_or(AppError::NotFound("class"))?;
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let sensitive = sees_sensitive(state, ctx).await?;
    let definition = state.store.screening(a.class_id).await?;
    let recorded = state.store.screening_entries(id).await?;
    let entries: Vec<screening::Entry> = recorded.iter().filter_map(ScreeningEntry::entry).collect();
    let stages = definition
        .stages
        .iter()
        .map(|stage| {
            let restricted = stage.sensitive && !sensitive;
            let state = screening::stage_state(&stage.code, &entries);
            StageView {
                code: stage.code.clone(),
                name: stage.name.clone(),
                // Even "failed" is a sensitive result; others only learn whether it is settled.
                state: screening::shown_state(stage.sensitive, sensitive, state),
                restricted,
                entries: if restricted {
                    Vec::new()
                } else {
                    recorded
                        .iter()
                        .filter(|e| e.stage == stage.code)
                        .map(|e| EntryView {
                            reviewer: e.reviewer_name.clone(),
                            outcome: Outcome::parse(&e.outcome).map_or("Unknown", |o| o.label()),
                            reason: definition
                                .reason(&e.reason_code)
                                .map_or_else(|| e.reason_code.clone(), |r| r.label.clone()),
                            note: e.note.clone(),
                            at: Timestamp::from_second(e.recorded_at)
                                .map(|t| format::instant(t, &tz))
                                .unwrap_or_default(),
                        })
                        .collect()
                },
            }
        })
        .collect();
    let answers = state
        .store
        .answers_of(id)
        .await?
        .into_iter()
        .map(|a| {
            // Not named for sensitive fields: the answer (and its file) never reaches the page.
            let restricted = !questions::shown(a.sensitive, sensitive);
            AnswerView {
                value: if restricted { String::new() } else { answer_text(&a) },
                download: (a.has_file && !a.erased && !restricted)
                    .then(|| format!("/staff/applications/{id}/answers/{}/file", a.question_id)),
                restricted,
                erased: a.erased,
                label: a.label,
            }
        })
        .collect();
    let page = ReviewPage {
        status_label: ApplicationStatus::parse(&a.status).map_or("Unknown", |s| s.label()),
        channel_label: if a.channel == "staff" {
            "entered by staff"
        } else {
            "applied online"
        },
        affiliation_label: crate::domain::eligibility::Affiliation::parse(&a.affiliation)
            .map_or_else(|| a.affiliation.clone(), |c| c.label().to_string()),
        reviewed_by: a.reviewed_by.as_deref().map(actor_in_words),
        answers,
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_name: format!("{}: {}", class.program_name, class.name),
        pending: a.status == "pending_review",
        a,
        checks: BackgroundCheck::ALL,
        sensitive,
        stages,
        recordable: definition
            .stages
            .iter()
            .filter(|s| sensitive || !s.sensitive)
            .map(|s| (s.code.clone(), s.name.clone()))
            .collect(),
        outcomes: Outcome::ALL,
        reasons: definition
            .reasons
            .iter()
            .map(|r| (r.code.clone(), r.label.clone()))
            .collect(),
        errors,
    };
    let status = if page.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryForm {
    stage: String,
    outcome: String,
    reason: String,
    note: String,
}

/// `POST /staff/applications/{id}/screening`: one reviewer's word on one stage.
pub async fn record(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ApplicationId>,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Review)?;
    let a = state
        .store
        .review_record(id)
        .await?
        .ok_or(AppError::NotFound("application"))?;
    let definition = state.store.screening(a.class_id).await?;
    let note = form.note.trim();
    let mut errors = definition
        .check_entry(&form.stage, &form.reason, note)
        .err()
        .unwrap_or_default();
    let outcome = Outcome::parse(&form.outcome);
    if outcome.is_none() {
        errors.push("Choose an outcome.".into());
    }
    if definition.stage(&form.stage).is_some_and(|s| s.sensitive) && !sees_sensitive(&state, &ctx).await? {
        return Err(AppError::Forbidden);
    }
    let Some(outcome) = outcome.filter(|_| errors.is_empty()) else {
        return page(&state, &ctx, id, errors).await;
    };
    let who = actor(user);
    let entry = NewEntry {
        application_id: id,
        stage: &form.stage,
        outcome,
        reason_code: &form.reason,
        note,
        reviewer: &who,
        reviewer_name: &user.full_name,
    };
    // The audit log hides this entry from reviewers the department does not name.
    let sensitive = definition.stage(&form.stage).is_some_and(|s| s.sensitive);
    review::record_screening(&state.store, &entry, sensitive, Timestamp::now()).await?;
    Ok(back(id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckForm {
    status: String,
}

/// `POST /staff/applications/{id}/background-check`.
pub async fn set_check(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ApplicationId>,
    Form(form): Form<CheckForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Review)?;
    if !sees_sensitive(&state, &ctx).await? {
        return Err(AppError::Forbidden);
    }
    let check =
        BackgroundCheck::parse(&form.status).ok_or_else(|| AppError::BadRequest("Unknown check status.".into()))?;
    state
        .store
        .review_record(id)
        .await?
        .ok_or(AppError::NotFound("application"))?;
    review::set_background_check(&state.store, &actor(user), id, check, Timestamp::now()).await?;
    Ok(back(id))
}

/// The application page answering a decision the application's state refuses (409).
fn refused(mut shown: Response) -> Result<Response, AppError> {
    *shown.status_mut() = axum::http::StatusCode::CONFLICT;
    Ok(shown)
}

/// An audit actor (`staff:12 pat@example.org`, `job:retention`) as a reader names it.
fn actor_in_words(actor: &str) -> String {
    match actor.split_once(' ') {
        Some((id, who)) if id.starts_with("staff:") => who.to_string(),
        _ => actor.to_string(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
    /// `yes`: after deciding, open the next application waiting for review.
    next: String,
}

/// `POST /staff/applications/{id}/decision`: approve, or deny with a reason.
pub async fn decide(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ApplicationId>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Review)?;
    let reason = form.reason.trim();
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "deny" if reason.is_empty() => {
            return page(
                &state,
                &ctx,
                id,
                vec!["Give a reason when denying an application.".into()],
            )
            .await;
        }
        "deny" if reason.chars().count() > 500 => {
            return page(&state, &ctx, id, vec!["Keep the reason under 500 characters.".into()]).await;
        }
        "deny" => Decision::Deny {
            reason: reason.to_string(),
        },
        _ => return Err(AppError::BadRequest("Choose approve or deny.".into())),
    };
    if matches!(decision, Decision::Approve) && !sees_sensitive(&state, &ctx).await? {
        // Whether an approval may go through depends on sensitive results, so its answer
        // would tell a reviewer the department does not name how they came out.
        let a = state
            .store
            .review_record(id)
            .await?
            .ok_or(AppError::NotFound("application"))?;
        let definition = state.store.screening(a.class_id).await?;
        let check_recorded =
            BackgroundCheck::parse(&a.background_check).is_some_and(|c| c != BackgroundCheck::NotStarted);
        let has_sensitive = check_recorded || definition.stages.iter().any(|s| s.sensitive);
        if let Err(m) = screening::may_approve_unnamed(has_sensitive) {
            return refused(page(&state, &ctx, id, vec![m.to_string()]).await?);
        }
    }
    match review::decide(
        &state.store,
        &state.links,
        &actor(user),
        id,
        &decision,
        Timestamp::now(),
    )
    .await
    .map_err(AppError::from)
    {
        Ok(_) if form.next == "yes" => {
            // The queue moves on: the oldest application still waiting, if any.
            Ok(match state.store.review_queue(None, 1).await?.first() {
                Some(next) => crate::web::see_other(&format!("/staff/applications/{}", next.id)),
                None => crate::web::see_other("/staff/review"),
            })
        }
        Ok(_) => Ok(back(id)),
        // Too early, or already decided: say why on the application itself.
        Err(AppError::Conflict(m)) => refused(page(&state, &ctx, id, vec![m]).await?),
        Err(AppError::Invalid(m)) => page(&state, &ctx, id, vec![m]).await,
        Err(e) => Err(e),
    }
}

struct QueueItem {
    id: ApplicationId,
    name: String,
    class_id: crate::domain::ClassId,
    class_name: String,
    waiting_since: String,
    /// "2 of 3 stages passed", or what blocks.
    progress: String,
}

#[derive(Template)]
#[template(path = "staff/review_queue.html")]
struct QueuePage {
    layout: Layout,
    items: Vec<QueueItem>,
    /// Links to the next screen and back to the first.
    next_screen: Option<String>,
    first_screen: Option<String>,
    searched_out: bool,
}

/// Applications one screen of the review queue lists.
const QUEUE_SCREEN: i64 = 100;

/// Where a review queue screen starts: after this arrival (`created_at.id`).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct QueueCursor {
    after: String,
}

/// `GET /staff/review`: every application waiting for a reviewer, oldest first.
pub async fn queue(
    State(state): State<AppState>,
    ctx: StaffPage,
    axum::extract::Query(cursor): axum::extract::Query<QueueCursor>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::Review)?;
    let sensitive = sees_sensitive(&state, &ctx).await?;
    let dept = &ctx.department;
    let tz = ctx.zone.clone();
    let after = match cursor.after.trim() {
        "" => None,
        token => Some(
            token
                .split_once('.')
                .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)))
                .ok_or_else(|| {
                    AppError::BadRequest("That page link is not valid; start from the first page.".into())
                })?,
        ),
    };
    let rows = state.store.review_queue(after, QUEUE_SCREEN).await?;
    let next_screen = (rows.len() as i64 == QUEUE_SCREEN)
        .then(|| rows.last())
        .flatten()
        .map(|r| format!("/staff/review?after={}.{}", r.created_at, r.id));
    let first_screen = after.map(|_| "/staff/review".to_string());
    // Classes of a screen share their screening definitions: read each once.
    let mut definitions = std::collections::HashMap::new();
    let mut items = Vec::new();
    for row in rows {
        let definition = match definitions.entry(row.class_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => slot.insert(state.store.screening(row.class_id).await?),
        };
        let entries: Vec<screening::Entry> = state
            .store
            .screening_entries(row.id)
            .await?
            .iter()
            .filter_map(ScreeningEntry::entry)
            .collect();
        let states: Vec<(bool, StageState)> = definition
            .stages
            .iter()
            .map(|s| (s.sensitive, screening::stage_state(&s.code, &entries)))
            .collect();
        let progress = screening::progress(&states, sensitive);
        items.push(QueueItem {
            id: row.id,
            name: format!("{} {}", row.first_name, row.last_name),
            class_id: row.class_id,
            class_name: format!("{}: {}", row.program_name, row.class_name),
            waiting_since: Timestamp::from_second(row.created_at)
                .map(|t| format::instant(t, &tz))
                .unwrap_or_default(),
            progress,
        });
    }
    let page = QueuePage {
        layout: super::layout(dept.as_ref(), "/staff/review", user),
        items,
        next_screen,
        first_screen,
        searched_out: false,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /staff/applications/{id}/answers/{question}/file`: a document an applicant
/// attached, for reviewers; a sensitive one only for the roles the department names.
/// Always a download (never shown inline), with its type fixed from its content.
pub async fn answer_file(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((id, question)): Id<(ApplicationId, String)>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    use axum::http::HeaderValue;
    use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
    super::require(user, Permission::Review)?;
    // A question that is not a number names no document.
    let question: QuestionId = question.parse().map_err(|_| AppError::NotFound("document"))?;
    // Looked up by application and question together: an id of another application's
    // answer finds nothing.
    let file = state
        .store
        .answer_file(id, question)
        .await?
        .ok_or(AppError::NotFound("document"))?;
    if !questions::shown(file.sensitive, sees_sensitive(&state, &ctx).await?) {
        return Err(AppError::Forbidden);
    }
    let content_type: &'static str = match file.content_type.as_str() {
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        "application/pdf" => "application/pdf",
        _ => "application/octet-stream",
    };
    let name = format!(
        "attachment; filename=\"application-{id}-question-{question}.{}\"",
        questions::extension(content_type)
    );
    tracing::info!(staff = %user.id, application = %id, question = %question, "document downloaded");
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).map_err(|e| AppError::Internal(e.into()))?,
            ),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        file.file,
    )
        .into_response())
}
