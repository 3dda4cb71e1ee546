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

/// Where a refused service action becomes HTTP: one mapping for every page handler.
impl From<crate::service::Error> for AppError {
    fn from(e: crate::service::Error) -> Self {
        use crate::service::Error;
        match e {
            Error::NotFound(what) => AppError::NotFound(what),
            Error::Conflict(why) => AppError::Conflict(why),
            Error::Invalid(problems) => AppError::Invalid(problems.join(" ")),
            Error::Store(e) => e.into(),
        }
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        problem_response(status, self.0.slug(), &self.0.public_message())
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
