//! Importing applicants from a CSV file, one application per row, through the same
//! rules and the same registrar as every other application. Each row's outcome is
//! reported; a repeated import recognises rows it already filed.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::domain::access::Permission;
use crate::domain::application::{AffiliationInput, EmergencyContactInput};
use crate::domain::{ApplicationInput, ClassId};
use crate::service::Error;
use crate::service::registrar::{ALREADY_APPLIED, KEY_REUSED, Request};
use crate::store::applications::Channel;
use crate::web::AppState;
use crate::web::api::registrations::fingerprint;
use crate::web::error::AppError;
use crate::web::extract::Id;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

/// The columns a file must have, in any order.
pub const COLUMNS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "city",
    "affiliation",
    "organization",
    "emergency_name",
    "emergency_phone",
    "waiver_accepted",
];

/// Most rows one import takes.
const MAX_ROWS: usize = 500;

#[derive(Template)]
#[template(path = "staff/import.html")]
struct ImportPage {
    layout: Layout,
    class_id: ClassId,
    class_name: String,
    columns: String,
    results: Vec<(usize, String, String)>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    class_id: ClassId,
    results: Vec<(usize, String, String)>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let dept = &ctx.department;
    let page = ImportPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_id,
        class_name: format!("{}: {}", class.program_name, class.name),
        columns: COLUMNS.join(","),
        results,
        error,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /staff/classes/{id}/import`.
pub async fn form(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    page(&state, &ctx, class_id, Vec::new(), None).await
}

/// Reads rows into application inputs; errors name the line.
fn parse(csv_text: &[u8]) -> Result<Vec<ApplicationInput>, String> {
    let text = csv_text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(csv_text);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text);
    let headers = reader
        .headers()
        .map_err(|e| format!("The first line must name the columns: {e}"))?
        .clone();
    let index = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let missing: Vec<&str> = COLUMNS.iter().copied().filter(|c| index(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(format!("The file is missing these columns: {}.", missing.join(", ")));
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_ROWS {
            return Err(format!("Import at most {MAX_ROWS} rows at a time."));
        }
        let record = record.map_err(|e| format!("Line {}: {e}", i + 2))?;
        let get = |name: &str| index(name).and_then(|j| record.get(j)).unwrap_or("").to_string();
        out.push(ApplicationInput {
            first_name: get("first_name"),
            last_name: get("last_name"),
            email: get("email"),
            phone: get("phone"),
            date_of_birth: get("date_of_birth"),
            city: get("city"),
            affiliation: Some(AffiliationInput {
                kind: get("affiliation"),
                organization: Some(get("organization")),
            }),
            emergency_contact: Some(EmergencyContactInput {
                name: get("emergency_name"),
                phone: get("emergency_phone"),
            }),
            answers: Default::default(),
            waiver_accepted: matches!(
                get("waiver_accepted").to_lowercase().as_str(),
                "yes" | "y" | "true" | "1"
            ),
        });
    }
    Ok(out)
}

/// `POST /staff/classes/{id}/import` (multipart, field `file`).
pub async fn upload(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    // Read after the role check, so a refused caller learns nothing from the body's shape.
    let mut multipart = multipart.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(|e| AppError::BadRequest(e.body_text()))?);
        }
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return page(
            &state,
            &ctx,
            class_id,
            Vec::new(),
            Some("Choose a CSV file to import.".into()),
        )
        .await;
    };
    let inputs = match parse(&file) {
        Ok(rows) => rows,
        Err(e) => return page(&state, &ctx, class_id, Vec::new(), Some(e)).await,
    };
    let today = jiff::Zoned::now().date();
    let mut results = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let line = i + 2;
        let who = format!("{} {}", input.first_name, input.last_name);
        let applicant = match input.validate(today) {
            Ok(a) => a,
            Err(errors) => {
                results.push((
                    line,
                    who,
                    errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "),
                ));
                continue;
            }
        };
        let fp = fingerprint(class_id, &input);
        // The row's content is its key: importing the same file twice files each row once.
        let key = format!("import:{}", hex::encode(Sha256::digest(fp.as_bytes())));
        let request = Request {
            class_id,
            fingerprint: fp,
            answers: Vec::new(),
            applicant,
            channel: Channel::Staff,
            idempotency_key: Some(key),
        };
        let outcome = match state.registrar.register(request).await {
            Ok(r) if r.replayed => format!("already imported (application {})", r.id),
            Ok(r) => format!("filed: {} (application {})", r.status.label(), r.id),
            Err(Error::Invalid { kind: KEY_REUSED, .. }) => {
                "a different row with the same content key; check the file".to_string()
            }
            Err(Error::Invalid { failures, .. }) => crate::service::messages(&failures).join(" "),
            Err(Error::Conflict {
                kind: ALREADY_APPLIED, ..
            }) => "already applied to this class".to_string(),
            Err(Error::Conflict { why, .. }) => why,
            Err(Error::NotFound(_)) => return Err(AppError::NotFound("class")),
            Err(Error::Unavailable | Error::Store(_)) => return Err(AppError::Unavailable),
        };
        results.push((line, who, outcome));
    }
    tracing::info!(staff = %user.id, class = %class_id, rows = results.len(), "applicants imported");
    page(&state, &ctx, class_id, results, None).await
}
