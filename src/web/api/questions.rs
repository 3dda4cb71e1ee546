//! A program's own application questions over the API: listed publicly with the
//! program (so clients know the ids `answers` takes), managed by admin and coordinator
//! tokens under `/api/v1/programs/{slug}/questions`. Every change is audited.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::staff::ApiClient;
use crate::domain::access::{Permission, allows};
use crate::domain::questions::{Question, QuestionDraft, QuestionKind};
use crate::domain::{QuestionId, RuleFailure};
use crate::service::questions::{self, ProgramRef};
use crate::store::catalog::Program;
use crate::store::questions::Removal;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, Subject, problem_response};
use crate::web::extract::ApiId;

/// A question of a program's application form.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionOut {
    /// The key of its answer in a registration's `answers`.
    pub id: QuestionId,
    pub kind: QuestionKind,
    pub label: String,
    pub help: String,
    /// The accepted answers of a `choice` question, exactly as written.
    pub options: Vec<String>,
    pub required: bool,
    /// Answers are shown only to the staff roles the department names.
    pub sensitive: bool,
    /// Answers are erased this many months after the class's last session.
    pub retention_months: u16,
    pub position: i64,
}

impl From<&Question> for QuestionOut {
    fn from(q: &Question) -> Self {
        QuestionOut {
            id: q.id,
            kind: q.spec.kind,
            label: q.spec.label.clone(),
            help: q.spec.help.clone(),
            options: q.spec.options.clone(),
            required: q.spec.required,
            sensitive: q.spec.sensitive,
            retention_months: q.spec.retention_months,
            position: q.position,
        }
    }
}

/// A program's questions, in form order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionList {
    pub questions: Vec<QuestionOut>,
}

/// A question to add, or the whole new wording of one to change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionIn {
    /// `text`, `choice`, `yes_no`, `date` or `document`.
    pub kind: String,
    pub label: String,
    #[serde(default)]
    pub help: String,
    /// For `choice`: 2 to 20 options.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub sensitive: bool,
    /// 1 to 120.
    pub retention_months: i64,
}

impl QuestionIn {
    fn draft(&self) -> QuestionDraft {
        QuestionDraft {
            kind: self.kind.clone(),
            label: self.label.clone(),
            help: self.help.clone(),
            options: self.options.clone(),
            required: self.required,
            sensitive: self.sensitive,
            retention_months: self.retention_months.to_string(),
        }
    }
}

/// What removing a question did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RemovedOut {
    /// `deleted` (nobody had answered it) or `archived` (no longer asked; its answers
    /// stay until their retention ends).
    pub outcome: &'static str,
}

/// How this resource names input it refuses.
const QUESTION: Subject = Subject {
    invalid: "invalid-question",
    summary: "Some fields of the question are missing or wrong.",
};

fn invalid(errors: Vec<RuleFailure>) -> Response {
    ApiError::refused(crate::service::Error::invalid(errors), &QUESTION).into_response()
}

async fn program_for(state: &AppState, client: &ApiClient, slug: &str) -> Result<Result<Program, Response>, ApiError> {
    if !allows(client.role, Permission::RunClasses) {
        return Ok(Err(problem_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This token's role may not manage programs.",
        )));
    }
    Ok(Ok(state
        .store
        .published_program(slug)
        .await?
        .ok_or(AppError::NotFound("program"))?))
}

fn parse(body: &Bytes) -> Result<QuestionIn, Vec<RuleFailure>> {
    serde_json::from_slice(body).map_err(|e| vec![RuleFailure::new("malformed", "body", e.to_string())])
}

fn actor(client: &ApiClient) -> String {
    format!("token:{}", client.name)
}

fn outcome(e: crate::service::Error) -> Result<Response, ApiError> {
    Err(ApiError::refused(e, &QUESTION))
}

async fn one(state: &AppState, program: &Program, id: QuestionId) -> Result<QuestionOut, ApiError> {
    let q = state
        .store
        .program_question(program.id, id)
        .await?
        .ok_or(AppError::NotFound("question"))?;
    Ok(QuestionOut::from(&q))
}

/// Lists a program's questions, in form order.
#[utoipa::path(get, path = "/api/v1/programs/{slug}/questions", tag = "staff",
    params(("slug" = String, Path, description = "The program's web address name")), security(("bearer" = [])),
    responses((status = 200, body = QuestionList), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    client: ApiClient,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let program = match program_for(&state, &client, &slug).await? {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let questions = state.store.program_questions(program.id).await?;
    Ok(Json(QuestionList {
        questions: questions.iter().map(QuestionOut::from).collect(),
    })
    .into_response())
}

/// Adds a question at the end of the program's application form.
#[utoipa::path(post, path = "/api/v1/programs/{slug}/questions", tag = "staff", request_body = QuestionIn,
    params(("slug" = String, Path, description = "The program's web address name")), security(("bearer" = [])),
    responses((status = 201, body = QuestionOut), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem),
              (status = 422, body = crate::web::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    client: ApiClient,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let program = match program_for(&state, &client, &slug).await? {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let input = match parse(&body) {
        Ok(i) => i,
        Err(errors) => return Ok(invalid(errors)),
    };
    let at = ProgramRef {
        id: program.id,
        slug: &program.slug,
    };
    match questions::add(&state.store, &at, &input.draft(), &actor(&client), Timestamp::now()).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(one(&state, &program, id).await?)).into_response()),
        Err(e) => outcome(e),
    }
}

/// Replaces a question's wording and settings. Answers already given are kept.
#[utoipa::path(put, path = "/api/v1/programs/{slug}/questions/{id}", tag = "staff", request_body = QuestionIn,
    params(("slug" = String, Path, description = "The program's web address name"),
           ("id" = i64, Path, description = "The question id")), security(("bearer" = [])),
    responses((status = 200, body = QuestionOut), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem),
              (status = 422, body = crate::web::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId((slug, id)): ApiId<(String, QuestionId)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let program = match program_for(&state, &client, &slug).await? {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let input = match parse(&body) {
        Ok(i) => i,
        Err(errors) => return Ok(invalid(errors)),
    };
    let at = ProgramRef {
        id: program.id,
        slug: &program.slug,
    };
    match questions::change(&state.store, &at, id, &input.draft(), &actor(&client), Timestamp::now()).await {
        Ok(()) => Ok(Json(one(&state, &program, id).await?).into_response()),
        Err(e) => outcome(e),
    }
}

/// Removes a question from the form: deleted when nobody answered it, otherwise
/// archived (answers kept until their retention ends).
#[utoipa::path(delete, path = "/api/v1/programs/{slug}/questions/{id}", tag = "staff",
    params(("slug" = String, Path, description = "The program's web address name"),
           ("id" = i64, Path, description = "The question id")), security(("bearer" = [])),
    responses((status = 200, body = RemovedOut), (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId((slug, id)): ApiId<(String, QuestionId)>,
) -> Result<Response, ApiError> {
    let program = match program_for(&state, &client, &slug).await? {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let at = ProgramRef {
        id: program.id,
        slug: &program.slug,
    };
    match questions::remove(&state.store, &at, id, &actor(&client), Timestamp::now()).await {
        Ok(removal) => Ok(Json(RemovedOut {
            outcome: if removal == Removal::Archived {
                "archived"
            } else {
                "deleted"
            },
        })
        .into_response()),
        Err(e) => outcome(e),
    }
}
