//! A program's own questions on its application form: listed in order, added, edited,
//! moved up or down, removed (archived when answered, so answers stay until their
//! retention ends). Same permission as the program's other settings.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::QuestionId;
use crate::domain::access::Permission;
use crate::domain::questions::{self, Question, QuestionDraft, QuestionKind};
use crate::service::questions::ProgramRef;
use crate::store::catalog::Program;
use crate::store::questions::Removal;
use crate::web::AppState;
use crate::web::error::{AppError, form_problems};
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

/// The question form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct QuestionForm {
    kind: String,
    label: String,
    help: String,
    options: String,
    required: String,
    sensitive: String,
    retention_months: String,
}

impl QuestionForm {
    fn draft(&self) -> QuestionDraft {
        QuestionDraft {
            kind: self.kind.clone(),
            label: self.label.clone(),
            help: self.help.clone(),
            options: self.options.lines().map(str::to_string).collect(),
            required: !self.required.is_empty(),
            sensitive: !self.sensitive.is_empty(),
            retention_months: self.retention_months.clone(),
        }
    }

    fn of(q: &Question) -> QuestionForm {
        let yes = |on: bool| if on { "yes".to_string() } else { String::new() };
        QuestionForm {
            kind: q.spec.kind.code().into(),
            label: q.spec.label.clone(),
            help: q.spec.help.clone(),
            options: q.spec.options.join("\n"),
            required: yes(q.spec.required),
            sensitive: yes(q.spec.sensitive),
            retention_months: q.spec.retention_months.to_string(),
        }
    }
}

/// A question in the list.
struct Row {
    id: QuestionId,
    label: String,
    kind: &'static str,
    required: bool,
    sensitive: bool,
    retention: String,
    first: bool,
    last: bool,
}

#[derive(Template)]
#[template(path = "staff/program_questions.html")]
struct QuestionsPage {
    layout: Layout,
    slug: String,
    name: String,
    rows: Vec<Row>,
    /// The question being edited, or `None` for the add form.
    editing: Option<QuestionId>,
    form: QuestionForm,
    kinds: &'static [QuestionKind],
    errors: Vec<String>,
    done: String,
}

async fn program(state: &AppState, ctx: &StaffPage, slug: &str) -> Result<Program, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    state
        .store
        .published_program(slug)
        .await?
        .ok_or(AppError::NotFound("program"))
}

async fn render_page(
    state: &AppState,
    ctx: &StaffPage,
    program: Program,
    editing: Option<QuestionId>,
    form: Option<QuestionForm>,
    errors: Vec<String>,
    done: &str,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let list = state.store.program_questions(program.id).await?;
    let form = match (form, editing) {
        (Some(f), _) => f,
        (None, Some(id)) => QuestionForm::of(list.iter().find(|q| q.id == id).ok_or(AppError::NotFound("question"))?),
        (None, None) => QuestionForm {
            kind: QuestionKind::Text.code().into(),
            retention_months: "12".into(),
            ..Default::default()
        },
    };
    let count = list.len();
    let rows = list
        .iter()
        .enumerate()
        .map(|(i, q)| Row {
            id: q.id,
            label: q.spec.label.clone(),
            kind: q.spec.kind.label(),
            required: q.spec.required,
            sensitive: q.spec.sensitive,
            retention: questions::retention_text(q.spec.retention_months),
            first: i == 0,
            last: i + 1 == count,
        })
        .collect();
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = QuestionsPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        slug: program.slug,
        name: program.name,
        rows,
        editing,
        form,
        kinds: QuestionKind::ALL,
        errors,
        done: done.to_string(),
    };
    Ok((status, render(&page)?).into_response())
}

fn back(slug: &str, done: &str) -> Response {
    crate::web::see_other(&format!("/staff/programs/{slug}/questions?done={done}"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// `GET /staff/programs/{slug}/questions`.
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(slug): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let p = program(&state, &ctx, &slug).await?;
    render_page(&state, &ctx, p, None, None, Vec::new(), &q.done).await
}

/// `GET /staff/programs/{slug}/questions/{id}`: the edit form.
pub async fn edit(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((slug, id)): Id<(String, QuestionId)>,
) -> Result<Response, AppError> {
    let p = program(&state, &ctx, &slug).await?;
    render_page(&state, &ctx, p, Some(id), None, Vec::new(), "").await
}

/// `POST /staff/programs/{slug}/questions`: adds a question.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(slug): Path<String>,
    Form(form): Form<QuestionForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let p = program(&state, &ctx, &slug).await?;
    let at = ProgramRef {
        id: p.id,
        slug: &p.slug,
    };
    match crate::service::questions::add(&state.store, &at, &form.draft(), &actor(user), Timestamp::now()).await {
        Ok(_) => Ok(back(&p.slug, "added")),
        Err(e) => {
            let errors = form_problems(e)?;
            render_page(&state, &ctx, p, None, Some(form), errors, "").await
        }
    }
}

/// `POST /staff/programs/{slug}/questions/{id}`: saves an edited question.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((slug, id)): Id<(String, QuestionId)>,
    Form(form): Form<QuestionForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let p = program(&state, &ctx, &slug).await?;
    let at = ProgramRef {
        id: p.id,
        slug: &p.slug,
    };
    match crate::service::questions::change(&state.store, &at, id, &form.draft(), &actor(user), Timestamp::now()).await
    {
        Ok(()) => Ok(back(&p.slug, "saved")),
        Err(e) => {
            let errors = form_problems(e)?;
            render_page(&state, &ctx, p, Some(id), Some(form), errors, "").await
        }
    }
}

/// `POST /staff/programs/{slug}/questions/{id}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((slug, id)): Id<(String, QuestionId)>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let p = program(&state, &ctx, &slug).await?;
    let at = ProgramRef {
        id: p.id,
        slug: &p.slug,
    };
    match crate::service::questions::remove(&state.store, &at, id, &actor(user), Timestamp::now()).await {
        Ok(Removal::Archived) => Ok(back(&p.slug, "archived")),
        Ok(_) => Ok(back(&p.slug, "removed")),
        Err(e) => form_problems(e).map(|_| back(&p.slug, "")),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    direction: String,
}

/// `POST /staff/programs/{slug}/questions/{id}/move`: one place `up` or `down`.
pub async fn shift(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((slug, id)): Id<(String, QuestionId)>,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let p = program(&state, &ctx, &slug).await?;
    let up = match form.direction.as_str() {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::BadRequest("Move a question up or down.".into())),
    };
    let at = ProgramRef {
        id: p.id,
        slug: &p.slug,
    };
    match crate::service::questions::shift(&state.store, &at, id, up, &actor(user), Timestamp::now()).await {
        Ok(_) => Ok(back(&p.slug, "moved")),
        Err(e) => form_problems(e).map(|_| back(&p.slug, "")),
    }
}
