//! CSV exports of a class: the roster, and attendance per session; and the download
//! answer every CSV and PDF of the back office shares.
//!
//! Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab
//! or carriage return) are prefixed with `'`, so a name typed as `=HYPERLINK(...)` stays
//! text. Files start with a UTF-8 byte order mark so spreadsheet programs read accents.

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::domain::access::{Permission, allows, may_see_roster};
use crate::domain::roster::Cursor;
use crate::web::AppState;
use futures_util::StreamExt;
use std::collections::HashMap;

use crate::domain::questions;
use crate::domain::{ApplicationId, ClassId, QuestionId};
use crate::web::error::AppError;
use crate::web::extract::Id;
use crate::web::staff::StaffPage;

/// Neutralizes a cell a spreadsheet would evaluate.
pub fn safe_cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

pub(super) fn csv_response(filename: &str, rows: Vec<Vec<String>>) -> Result<Response, AppError> {
    let body = csv_chunk(true, &rows)?;
    let disposition = format!("attachment; filename=\"{filename}\"");
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.into()))?,
            ),
        ],
        body,
    )
        .into_response())
}

/// Typesets a PDF off the request threads (it is CPU work) and answers it as a download.
pub(crate) async fn pdf_response(
    filename: &str,
    typeset: impl FnOnce() -> anyhow::Result<Vec<u8>> + Send + 'static,
) -> Result<Response, AppError> {
    let pdf = tokio::task::spawn_blocking(typeset)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(AppError::Internal)?;
    let disposition = format!("attachment; filename=\"{filename}\"");
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.into()))?,
            ),
        ],
        pdf,
    )
        .into_response())
}

async fn class_for(state: &AppState, ctx: &StaffPage, id: ClassId) -> Result<ClassId, AppError> {
    let user = &ctx.user;
    state.store.class(id).await?.ok_or(AppError::NotFound("class"))?;
    let presents = allows(user.role, Permission::Present) && state.store.presents_in(user.id, id).await?;
    if !may_see_roster(user.role, presents) {
        return Err(AppError::Forbidden);
    }
    Ok(id)
}

/// `GET /staff/classes/{id}/roster.csv`.
pub async fn roster(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = class_for(&state, &ctx, id).await?;
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let filter = crate::domain::roster::RosterFilter::new(get("status"), get("q"));
    // Answers to the program's questions, one column each; a sensitive question's column
    // is left out entirely for a role the department does not name.
    let sees = super::review::sees_sensitive(&state, &ctx).await?;
    let columns: Vec<(QuestionId, String)> = state
        .store
        .class_question_columns(id)
        .await?
        .into_iter()
        .filter(|(_, _, sensitive)| questions::shown(*sensitive, sees))
        .map(|(q, label, _)| (q, label))
        .collect();
    let mut header = [
        "application",
        "queue",
        "first_name",
        "last_name",
        "email",
        "phone",
        "status",
        "channel",
        "applied_at",
    ]
    .map(String::from)
    .to_vec();
    header.extend(columns.iter().map(|(_, label)| label.clone()));
    let first = csv_chunk(true, &[header])?;
    // The rows stream a roster page at a time (keyset, in queue order), so memory stays the
    // same for a class of any size; rows filed while it streams may be included.
    let store = state.store.clone();
    let pages = futures_util::stream::try_unfold(Some(Cursor::START), move |after| {
        let (store, filter, columns) = (store.clone(), filter.clone(), columns.clone());
        async move {
            let Some(after) = after else { return Ok(None) };
            let rows = store
                .roster_page(id, filter.status, after, EXPORT_PAGE)
                .await
                .map_err(broken)?;
            let next = (rows.len() as i64 == EXPORT_PAGE)
                .then(|| rows.last())
                .flatten()
                .map(|r| Cursor {
                    queue_rank: r.queue_rank,
                    id: r.id,
                });
            let mut answers: HashMap<(ApplicationId, QuestionId), String> = HashMap::new();
            if let (false, Some(first), Some(last)) = (columns.is_empty(), rows.first(), rows.last()) {
                for a in store
                    .answers_in_ranks(id, first.queue_rank..=last.queue_rank)
                    .await
                    .map_err(broken)?
                {
                    if questions::shown(a.sensitive, sees) {
                        answers.insert((a.application_id, a.question_id), super::review::answer_text(&a));
                    }
                }
            }
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                if !filter.matches(&r.status, &[&r.first_name, &r.last_name, &r.email], &r.phone) {
                    continue;
                }
                let mut row = vec![
                    r.id.to_string(),
                    r.queue_rank.to_string(),
                    r.first_name,
                    r.last_name,
                    r.email,
                    r.phone,
                    r.status,
                    r.channel,
                    jiff::Timestamp::from_second(r.created_at)
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                ];
                row.extend(
                    columns
                        .iter()
                        .map(|(q, _)| answers.get(&(r.id, *q)).cloned().unwrap_or_default()),
                );
                out.push(row);
            }
            let chunk = csv_chunk(false, &out).map_err(|e| std::io::Error::other(e.to_string()))?;
            Ok::<_, std::io::Error>(Some((chunk, next)))
        }
    });
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(pages);
    csv_stream(&format!("class-{id}-roster.csv"), body)
}

/// A read that failed mid-stream: logged, and the download ends broken rather than short
/// without a word.
fn broken(e: crate::store::StoreError) -> std::io::Error {
    tracing::error!(error = %e, "export stopped mid-stream");
    std::io::Error::other(e.to_string())
}

/// Rows of an export streamed a page at a time: this many per read.
const EXPORT_PAGE: i64 = 500;

/// CSV rows as bytes (with the byte-order mark spreadsheets need, for the first chunk).
fn csv_chunk(first: bool, rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let start = if first {
        Vec::from("\u{feff}".as_bytes())
    } else {
        Vec::new()
    };
    let mut writer = csv::Writer::from_writer(start);
    for row in rows {
        writer
            .write_record(row.iter().map(|c| safe_cell(c)))
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
}

/// `GET /staff/classes/{id}/attendance.csv`: one row per participant, one column per session.
pub async fn attendance(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<ClassId>,
) -> Result<Response, AppError> {
    let id = class_for(&state, &ctx, id).await?;
    let sessions: Vec<_> = state
        .store
        .sessions(id)
        .await?
        .into_iter()
        .filter(|s| !s.cancelled)
        .collect();
    let mut header = vec!["first_name".to_string(), "last_name".to_string()];
    header.extend(sessions.iter().map(|s| format!("{} {}", s.position, s.local_date)));
    let first = csv_chunk(true, &[header])?;
    // Participants are few (a class's seats); their marks are read and written out a slice
    // of people at a time, so memory holds one slice's marks, not the whole class's.
    let people = state.store.participants(id).await?;
    let store = state.store.clone();
    let slices = futures_util::stream::iter(people.chunks(EXPORT_SLICE).map(<[_]>::to_vec).collect::<Vec<_>>()).then(
        move |slice| {
            let (store, sessions) = (store.clone(), sessions.clone());
            async move {
                let ids: Vec<ApplicationId> = slice.iter().map(|p| p.id).collect();
                let marks = store.attendance_of(id, &ids).await.map_err(broken)?;
                let rows: Vec<Vec<String>> = slice
                    .into_iter()
                    .map(|p| {
                        let mut row = vec![p.first_name, p.last_name];
                        row.extend(
                            sessions
                                .iter()
                                .map(|s| marks.get(&(s.id, p.id)).map_or(String::new(), describe_record)),
                        );
                        row
                    })
                    .collect();
                csv_chunk(false, &rows).map_err(|e| std::io::Error::other(e.to_string()))
            }
        },
    );
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(slices);
    csv_stream(&format!("class-{id}-attendance.csv"), body)
}

/// People whose attendance one read of the export covers.
const EXPORT_SLICE: usize = 200;

/// A streamed CSV download.
fn csv_stream(
    filename: &str,
    body: impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static,
) -> Result<Response, AppError> {
    let disposition = format!("attachment; filename=\"{filename}\"");
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.into()))?,
            ),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

/// One attendance cell: the mark's code, then what the rule also looks at.
fn describe_record(r: &crate::domain::graduation::Record) -> String {
    let mut cell = r.mark.code().to_string();
    if let Some(m) = r.minutes_late {
        cell.push_str(&format!(" ({m} min)"));
    }
    if r.made_up {
        cell.push_str(" (made up)");
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralized() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("+1"), "'+1");
        assert_eq!(safe_cell("-1"), "'-1");
        assert_eq!(safe_cell("@SUM"), "'@SUM");
        assert_eq!(safe_cell("Rosa"), "Rosa");
        assert_eq!(safe_cell(""), "");
    }
}
