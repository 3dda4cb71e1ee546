//! `POST /api/v1/classes/{id}/registrations`: apply to a class, anonymously, under the
//! same rules as the form.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::domain::{ApplicationId, ApplicationInput, ApplicationStatus, ClassId, RuleFailure};
use crate::error::{problem_response, problem_with_errors};
use crate::registrar::{RegisterError, Request};
use crate::store::applications::Channel;

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
    let mut h = Sha256::new();
    h.update(class_id.get().to_be_bytes());
    h.update(serde_json::to_vec(input).unwrap_or_default());
    hex::encode(h.finalize())
}

/// Maps a refusal to the API's problem answers.
pub fn refusal(e: RegisterError) -> Response {
    match e {
        RegisterError::ClassNotFound => {
            problem_response(StatusCode::NOT_FOUND, "not-found", "We could not find that class.")
        }
        RegisterError::NotOpen(msg) => problem_response(StatusCode::CONFLICT, "registration-closed", &msg),
        RegisterError::AlreadyApplied => problem_response(
            StatusCode::CONFLICT,
            "already-applied",
            "This person has already applied to this class. Use the link in the confirmation email to see the application.",
        ),
        RegisterError::KeyReused => problem_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "This Idempotency-Key was already used for a different application.",
        ),
        RegisterError::Ineligible(errors) => problem_with_errors(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ineligible",
            "The applicant does not meet every rule of this program.",
            &errors,
        ),
        RegisterError::Unavailable | RegisterError::Store(_) => {
            if let RegisterError::Store(e) = &e {
                tracing::error!(error = %e, "filing an application failed");
            }
            problem_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The application could not be saved. Nothing was recorded; please try again.",
            )
        }
    }
}

/// Applies to a class.
#[utoipa::path(post, path = "/api/v1/classes/{id}/registrations", tag = "registrations",
    params(("id" = i64, Path, description = "The class id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key: a retry with the same key returns the first answer")),
    request_body = ApplicationInput,
    responses(
        (status = 201, body = RegistrationOut),
        (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem, description = "Already applied, or registration not open"),
        (status = 422, body = crate::error::Problem, description = "Malformed or ineligible; `errors` lists every rule"),
        (status = 429, body = crate::error::Problem, description = "Too many requests from this address"),
    ))]
pub async fn register(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(class_id) = id.parse::<ClassId>() else {
        return problem_response(StatusCode::NOT_FOUND, "not-found", "We could not find that class.");
    };
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
    let today = jiff::Zoned::now().date();
    let applicant = match input.validate(today) {
        Ok(a) => a,
        Err(errors) => {
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
        fingerprint: fingerprint(class_id, &input),
        applicant,
        channel: Channel::Online,
        idempotency_key: key,
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
