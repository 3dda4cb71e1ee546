//! Errors at the web edge.
//!
//! Policy: the store returns narrow [`StoreError`]s, startup code uses `anyhow`, and
//! handlers turn everything into one [`AppError`]. A page handler's error becomes a
//! branded HTML page (rendered by `web::error_pages`, which has the department's
//! name); an API handler wraps it in [`ApiError`] and answers RFC 9457 problem JSON.
//! Internal causes are logged with their chain and never shown to the visitor.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::RuleFailure;
use crate::service;
use crate::store::StoreError;

/// What went wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist (or is not visible to this visitor).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request itself is malformed; the message says how, in plain words.
    #[error("{0}")]
    BadRequest(String),
    /// Signed in, but this role may not do that.
    #[error("not allowed")]
    Forbidden,
    /// Submitted values break a rule; the message names each problem.
    #[error("{0}")]
    Invalid(String),
    /// The request conflicts with the current state (e.g. an offer already expired).
    #[error("{0}")]
    Conflict(String),
    /// A refusal with a name of its own (`already-applied`), which the API answers as its
    /// problem type and pages show in words.
    #[error("{}", .0.detail)]
    Refused(Refusal),
    /// The client is over its request budget (`crate::auth::limits`).
    #[error("too many requests")]
    TooManyRequests,
    /// The database does not answer.
    #[error("the service is temporarily unavailable")]
    Unavailable,
    /// A bug or an outage; details go to the log only.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Where a refused service action becomes HTTP: one mapping for every handler. A refusal
/// with a name of its own keeps it, so the API can answer it as its problem type.
impl From<service::Error> for AppError {
    fn from(e: service::Error) -> Self {
        use service::Error;
        match e {
            Error::NotFound(what) => AppError::NotFound(what),
            Error::Conflict { kind: "conflict", why } => AppError::Conflict(why),
            Error::Conflict { kind, why } => AppError::Refused(Refusal {
                status: StatusCode::CONFLICT,
                kind,
                detail: why,
                failures: Vec::new(),
            }),
            Error::Invalid {
                kind: service::INVALID,
                failures,
            } => AppError::Invalid(service::messages(&failures).join(" ")),
            Error::Invalid { kind, failures } => AppError::Refused(Refusal {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                kind,
                detail: service::messages(&failures).join(" "),
                failures,
            }),
            Error::Unavailable => AppError::Unavailable,
            Error::Store(e) => e.into(),
        }
    }
}

/// The words of refused input, for a page that shows its form again; any other refusal
/// becomes the error page.
pub fn form_problems(e: service::Error) -> Result<Vec<String>, AppError> {
    match e {
        service::Error::Invalid { failures, .. } => Ok(service::messages(&failures)),
        other => Err(other.into()),
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Sqlx(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)) => {
                tracing::error!(error = %e, "database unavailable");
                AppError::Unavailable
            }
            // A submitted id that names nothing, or a value the schema's checks refuse,
            // reached the database: the request is at fault, and nothing was written.
            StoreError::Sqlx(sqlx::Error::Database(ref db)) if db.is_foreign_key_violation() => {
                tracing::warn!(error = %e, "request referred to a missing row");
                AppError::Invalid("The form refers to something that does not exist (any more).".into())
            }
            StoreError::Sqlx(sqlx::Error::Database(ref db)) if db.is_check_violation() => {
                tracing::warn!(error = %e, "request value refused by a schema check");
                AppError::Invalid("One of the values is outside what is allowed.".into())
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl AppError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Refused(r) => r.status,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable identifier of the cause, used as the problem `type`.
    pub fn slug(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not-found",
            AppError::BadRequest(_) => "bad-request",
            AppError::Conflict(_) => "conflict",
            AppError::Refused(r) => r.kind,
            AppError::Forbidden => "forbidden",
            AppError::Invalid(_) => "invalid",
            AppError::TooManyRequests => "rate-limited",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The sentence shown to the visitor; never internal details.
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound(what) => format!("We could not find that {what}."),
            AppError::BadRequest(msg) | AppError::Conflict(msg) | AppError::Invalid(msg) => msg.clone(),
            AppError::Refused(r) => r.detail.clone(),
            AppError::Forbidden => "Your role does not allow this. Ask an administrator if you need it.".into(),
            AppError::TooManyRequests => {
                "Too many requests from your address. Please wait a minute and try again.".into()
            }
            AppError::Unavailable => "The service is busy or briefly unavailable. Please try again in a minute.".into(),
            AppError::Internal(_) => "Something went wrong on our side. It has been logged; please try again.".into(),
        }
    }

    fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "request failed");
        }
    }
}

/// A named refusal: its status, stable name, words and the fields at fault.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub kind: &'static str,
    pub detail: String,
    pub failures: Vec<RuleFailure>,
}

/// Marker left on an error response so `web::error_pages` can render the branded page.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let title = status.canonical_reason().unwrap_or("Error");
        let mut res = (status, format!("{title}: {}", self.public_message())).into_response();
        res.extensions_mut().insert(ErrorPage {
            title,
            message: self.public_message(),
        });
        res
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable identifier of the cause, e.g. `/problems/not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the cause.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this case, in plain words.
    pub detail: String,
    /// Every broken rule, for validation and eligibility problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RuleFailure>,
}

/// An [`AppError`] answered as problem JSON, for `/api` routes.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// How an API resource names input it refuses: its problem type and summary, e.g.
/// `invalid-class`, "Some fields are missing or wrong."
pub struct Subject {
    pub invalid: &'static str,
    pub summary: &'static str,
}

impl ApiError {
    /// A refused service action on `subject`, answered as problem JSON: refused input
    /// lists every failure under the subject's problem type; anything else as its kind.
    pub fn refused(e: service::Error, subject: &Subject) -> ApiError {
        match e {
            service::Error::Invalid {
                kind: service::INVALID,
                failures,
            } => ApiError(AppError::Refused(Refusal {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                kind: subject.invalid,
                detail: subject.summary.to_string(),
                failures,
            })),
            other => ApiError(other.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let failures = match &self.0 {
            AppError::Refused(r) => r.failures.as_slice(),
            _ => &[],
        };
        problem_with_errors(status, self.0.slug(), &self.0.public_message(), failures)
    }
}

/// Builds a problem+json response; also used by the API's fallback and rejections.
pub fn problem_response(status: StatusCode, slug: &str, detail: &str) -> Response {
    problem_with_errors(status, slug, detail, &[])
}

/// A problem listing every broken rule (`errors: [{rule, field, message}]`).
pub fn problem_with_errors(status: StatusCode, slug: &str, detail: &str, errors: &[RuleFailure]) -> Response {
    let body = Problem {
        kind: format!("/problems/{slug}"),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: detail.to_string(),
        errors: errors.to_vec(),
    };
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}
