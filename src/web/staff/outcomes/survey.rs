//! A program's before-and-after survey editor: questions as rows, saved as a new
//! version so answers already given keep the wording they answered.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::program;
use crate::domain::access::Permission;
use crate::domain::audit::AuditAction;
use crate::domain::survey::{self, DRAFT_KINDS, Instrument, QuestionDraft};
use crate::store::catalog::Program;
use crate::store::staff::AuditRecord;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};
use crate::web::see_other;
use crate::web::staff::StaffPage;
use crate::web::staff::classes::actor;

/// One row of the editor; `index` names its fields (`q3_prompt`).
pub struct DraftRow {
    pub index: usize,
    pub draft: QuestionDraft,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/survey_edit.html")]
struct EditPage {
    layout: Layout,
    slug: String,
    name: String,
    title: String,
    active: bool,
    rows: Vec<DraftRow>,
    kinds: &'static [(&'static str, &'static str)],
    /// `(version, questions, answered)` of every stored wording, newest first.
    versions: Vec<(i64, usize, bool)>,
    current_answered: bool,
    exists: bool,
    errors: Vec<String>,
    saved: Option<i64>,
}

fn rows_of(instrument: &Instrument) -> Vec<DraftRow> {
    instrument
        .questions
        .iter()
        .enumerate()
        .map(|(index, q)| DraftRow {
            index,
            draft: QuestionDraft::of(q),
            error: None,
        })
        .collect()
}

/// The editor always offers one empty row for a new question.
fn with_blank(mut rows: Vec<DraftRow>) -> Vec<DraftRow> {
    let index = rows.iter().map(|r| r.index + 1).max().unwrap_or(0);
    rows.push(DraftRow {
        index,
        draft: QuestionDraft {
            kind: "likert5".into(),
            ..Default::default()
        },
        error: None,
    });
    rows
}

struct Edited {
    title: String,
    active: bool,
    rows: Vec<DraftRow>,
}

async fn edit_page(
    state: &AppState,
    ctx: &StaffPage,
    program: Program,
    edited: Option<Edited>,
    errors: Vec<String>,
    saved: Option<i64>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let survey = state.store.survey(program.id).await?;
    // Read the sheets once, not once per version.
    let answered: std::collections::BTreeSet<crate::domain::SurveyVersionId> = state
        .store
        .survey_responses(program.id, None)
        .await?
        .iter()
        .map(|r| r.version_id)
        .collect();
    let versions = state
        .store
        .survey_versions(program.id)
        .await?
        .into_iter()
        .rev()
        .map(|v| (v.version, v.instrument.questions.len(), answered.contains(&v.id)))
        .collect();
    let (title, active, rows) = match (edited, &survey) {
        (Some(e), _) => (e.title, e.active, e.rows),
        (None, Some(s)) => (
            s.current.instrument.title.clone(),
            s.active,
            rows_of(&s.current.instrument),
        ),
        (None, None) => (String::new(), true, Vec::new()),
    };
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        layout: crate::web::staff::layout(dept.as_ref(), "/staff", user),
        slug: program.slug,
        name: program.name,
        title,
        active,
        rows: with_blank(rows),
        kinds: DRAFT_KINDS,
        versions,
        current_answered: survey.as_ref().is_some_and(|s| s.answered),
        exists: survey.is_some(),
        errors,
        saved,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<i64>,
}

/// `GET /staff/programs/{slug}/survey`.
pub async fn edit(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(slug): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    crate::web::staff::require(user, Permission::RunClasses)?;
    let program = program(&state, &slug).await?;
    edit_page(&state, &ctx, program, None, Vec::new(), q.saved).await
}

/// Reads the editor's indexed fields into rows, in the order the coordinator numbered
/// them, leaving out removed rows and the untouched blank one.
fn read_rows(form: &[(String, String)]) -> Result<Vec<DraftRow>, String> {
    let mut rows: std::collections::BTreeMap<usize, (QuestionDraft, String, bool)> = Default::default();
    for (name, value) in form {
        let Some((index, field)) = name
            .strip_prefix('q')
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f)))
        else {
            continue;
        };
        if index >= 100 {
            return Err("A survey has at most 100 questions.".into());
        }
        let (d, order, removed) = rows.entry(index).or_default();
        let value = value.clone();
        match field {
            "key" => d.key = value,
            "prompt" => d.prompt = value,
            "kind" => d.kind = value,
            "options" => d.options = value,
            "low" => d.low = value,
            "high" => d.high = value,
            "order" => *order = value,
            "remove" => *removed = !value.is_empty(),
            _ => {}
        }
    }
    let mut kept: Vec<(f64, usize, QuestionDraft)> = rows
        .into_iter()
        .filter(|(_, (d, _, removed))| {
            let blank = d.key.trim().is_empty() && d.prompt.trim().is_empty();
            !removed && !blank
        })
        .map(|(index, (d, order, _))| (order.trim().parse::<f64>().unwrap_or(index as f64 + 1.0), index, d))
        .collect();
    kept.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(kept
        .into_iter()
        .enumerate()
        .map(|(index, (_, _, draft))| DraftRow {
            index,
            draft,
            error: None,
        })
        .collect())
}

/// `POST /staff/programs/{slug}/survey`: the editor's fields (indexed, so read as
/// pairs), or `action=default` to start from the academy questions.
pub async fn save(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(slug): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    crate::web::staff::require(user, Permission::RunClasses)?;
    let Form(form) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let program = program(&state, &slug).await?;
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let active = field("active").is_some_and(|v| !v.is_empty());
    let instrument = if field("action") == Some("default") {
        Ok(survey::default_academy_instrument())
    } else {
        let rows = read_rows(&form).map_err(AppError::BadRequest)?;
        let drafts: Vec<QuestionDraft> = rows.iter().map(|r| r.draft.clone()).collect();
        let title = field("title").unwrap_or_default();
        survey::from_drafts(title, &drafts).map_err(|problems| (title.to_string(), rows, problems))
    };
    let instrument = match instrument {
        Ok(i) => i,
        Err((title, mut rows, problems)) => {
            let mut general = Vec::new();
            for p in problems {
                match rows
                    .iter_mut()
                    .find(|r| Some(r.draft.key.trim()) == p.question.as_deref())
                {
                    Some(row) if row.error.is_none() => row.error = Some(p.message.clone()),
                    _ => {}
                }
                general.push(match &p.question {
                    Some(q) if !q.is_empty() => format!("{q}: {}", p.message),
                    _ => p.message,
                });
            }
            let edited = Edited { title, active, rows };
            return edit_page(&state, &ctx, program, Some(edited), general, None).await;
        }
    };
    let before = state.store.survey(program.id).await?.map(|s| s.current.instrument);
    let version = state
        .store
        .save_survey(
            program.id,
            &instrument,
            active,
            &AuditRecord {
                actor: &actor(user),
                action: AuditAction::SurveySave,
                object_type: "program",
                object_id: program.slug.clone(),
                before: before.map(|b| serde_json::json!(b)),
                after: Some(serde_json::json!({ "instrument": instrument, "active": active })),
            },
            Timestamp::now(),
        )
        .await?;
    Ok(see_other(&format!(
        "/staff/programs/{}/survey?saved={version}",
        program.slug
    )))
}
