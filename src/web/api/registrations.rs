//! `POST /api/v1/classes/{id}/registrations`: apply to a class, anonymously, under the
//! same rules as the form.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::questions::{self, Answer};
use crate::domain::{ApplicationId, ApplicationInput, ApplicationStatus, ClassId, RuleFailure};
use crate::service::Error;
use crate::service::registrar::Request;
use crate::store::applications::Channel;
use crate::web::AppState;
use crate::web::error::{ApiError, Subject, problem_response, problem_with_errors};
use crate::web::extract::ApiId;

/// The answer to an accepted application.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RegistrationOut {
    pub id: ApplicationId,
    /// `confirmed`, `pending_review`, `waitlisted` or `entered` (lottery).
    pub status: ApplicationStatus,
    /// 1-based position on the waitlist, when waitlisted.
    pub waitlist_position: Option<i64>,
}

/// Longest accepted `Idempotency-Key`.
const MAX_KEY_LEN: usize = 255;

/// A stable hash of what was submitted, to tell a retry from a different request
/// reusing the same key.
pub fn fingerprint(class_id: ClassId, input: &ApplicationInput) -> String {
    fingerprint_with(class_id, input, &[])
}

/// [`fingerprint`] that also covers checked answers (a form's uploads are not in
/// `input`). Without answers it is the same hash, so keys stored earlier still match.
pub fn fingerprint_with(class_id: ClassId, input: &ApplicationInput, answers: &[Answer]) -> String {
    let mut h = Sha256::new();
    h.update(class_id.get().to_be_bytes());
    h.update(serde_json::to_vec(input).unwrap_or_default());
    for a in answers {
        h.update(a.question_id.get().to_be_bytes());
        h.update(Sha256::digest(a.value.as_bytes()));
        if let Some(file) = &a.file {
            h.update(Sha256::digest(&file.bytes));
        }
    }
    hex::encode(h.finalize())
}

/// The questions the class's program asks now; none for a class that is not public
/// (the registrar then refuses it as not found). Kept in memory until an edit (at most a
/// second), so a registration rush reads them once, not once per application.
pub async fn questions_of(
    state: &AppState,
    class_id: ClassId,
) -> Result<Arc<Vec<crate::domain::questions::Question>>, crate::store::StoreError> {
    state
        .questions
        .get_or_read(class_id, async {
            Ok(Arc::new(match state.store.public_class(class_id).await? {
                Some(class) => state.store.program_questions(class.program_id).await?,
                None => Vec::new(),
            }))
        })
        .await
}

/// How refused applications are named: the applicant does not meet the program's rules.
const INELIGIBLE: Subject = Subject {
    invalid: "ineligible",
    summary: "The applicant does not meet every rule of this program.",
};

/// Maps a refusal to the API's problem answers.
pub fn refusal(e: Error) -> Response {
    match e {
        Error::Unavailable | Error::Store(_) => {
            if let Error::Store(e) = &e {
                tracing::error!(error = %e, "filing an application failed");
            }
            problem_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The application could not be saved. Nothing was recorded; please try again.",
            )
        }
        e => ApiError::refused(e, &INELIGIBLE).into_response(),
    }
}

/// Applies to a class. Answers to the program's own questions (listed with the program)
/// go in `answers`, keyed by question id; a document is sent as
/// `{"file_name": ..., "content_base64": ...}` (JPEG, PNG or PDF, at most 5 MB decoded;
/// the whole request at most 16 MB). Every broken rule is listed in `errors`, answers at
/// `answers.{id}`.
#[utoipa::path(post, path = "/api/v1/classes/{id}/registrations", tag = "registrations",
    params(("id" = i64, Path, description = "The class id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a retry with the same key returns the first answer")),
    request_body = ApplicationInput,
    responses(
        (status = 201, body = RegistrationOut),
        (status = 404, body = crate::web::error::Problem),
        (status = 409, body = crate::web::error::Problem, description = "Already applied, or registration not open"),
        (status = 422, body = crate::web::error::Problem, description = "Malformed or ineligible; `errors` lists every rule"),
        (status = 429, body = crate::web::error::Problem, description = "Too many requests from this address"),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ApiId(class_id): ApiId<ClassId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input: ApplicationInput = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            let failure = RuleFailure {
                rule: "malformed",
                field: "body".into(),
                message: e.to_string(),
            };
            return problem_with_errors(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-application",
                "The request body is not a valid application.",
                &[failure],
            );
        }
    };
    let key = match headers.get("idempotency-key").map(HeaderValue::to_str) {
        None => None,
        Some(Ok(k)) if !k.trim().is_empty() && k.len() <= MAX_KEY_LEN => Some(format!("api:{}", k.trim())),
        Some(_) => {
            return problem_response(
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Idempotency-Key must be 1 to 255 visible characters.",
            );
        }
    };
    let questions = match questions_of(&state, class_id).await {
        Ok(q) => q,
        Err(e) => return refusal(Error::Store(e)),
    };
    let today = jiff::Zoned::now().date();
    let answers = questions::given_from_api(&input.answers).and_then(|g| questions::check_answers(&questions, &g));
    let (applicant, answers) = match (input.validate(today), answers) {
        (Ok(a), Ok(answers)) => (a, answers),
        (applicant, answers) => {
            let mut errors = applicant.err().unwrap_or_default();
            errors.extend(answers.err().unwrap_or_default());
            return problem_with_errors(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-application",
                "Some fields are missing or not in the expected form.",
                &errors,
            );
        }
    };
    let request = Request {
        class_id,
        fingerprint: fingerprint_with(class_id, &input, &answers),
        applicant,
        channel: Channel::Online,
        idempotency_key: key,
        answers,
    };
    match state.registrar.register(request).await {
        Ok(receipt) => {
            let body = RegistrationOut {
                id: receipt.id,
                status: receipt.status,
                waitlist_position: receipt.waitlist_position,
            };
            let mut res = (StatusCode::CREATED, Json(body)).into_response();
            if receipt.replayed {
                res.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            res
        }
        Err(e) => refusal(e),
    }
}
