//! `GET /certificates/{number}`: anyone can check that a certificate is genuine. The route
//! is inside the per-client request budget (`web::public::limited_router`), which with
//! the numbers' 50 random bits keeps them from being guessed.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};

#[derive(Template)]
#[template(path = "public/certificate.html")]
struct CertificatePage {
    layout: Layout,
    number: String,
    full_name: String,
    program: String,
    class: String,
    completed_on: String,
}

/// Shows what the certificate with this number certifies, or a clear 404.
pub async fn verify(State(state): State<AppState>, Path(number): Path<String>) -> Result<Response, AppError> {
    // Numbers issued before (20 random bits) keep their shape and still verify.
    let number = crate::documents::certificate::parse_number(&number).ok_or(AppError::NotFound("certificate"))?;
    let record = state
        .store
        .certificate(&number)
        .await?
        .ok_or(AppError::NotFound("certificate"))?;
    let dept = state.store.department().await?;
    let page = CertificatePage {
        layout: Layout::new(dept.as_ref(), ""),
        number: record.number,
        full_name: record.full_name,
        program: record.program_name,
        class: record.class_name,
        completed_on: record.completed_on,
    };
    Ok(render(&page)?.into_response())
}
