//! `/privacy`: what the department collects through this site and how long it keeps it.
//! The introduction is the department's own page with the slug `privacy` when one is
//! published (edited under Pages), else a plain default; the list of questions is
//! generated from the programs' forms, so it cannot drift from what is really asked.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::domain::content::ContentKind;
use crate::domain::questions::{self, QuestionKind};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};

/// The slug of the content page that introduces the notice.
pub const PRIVACY_SLUG: &str = "privacy";

/// One program's own questions on the notice.
struct ProgramQuestions {
    program: String,
    /// `(question, what it takes, how long it is kept, still asked)`.
    questions: Vec<(String, &'static str, String, bool)>,
}

#[derive(Template)]
#[template(path = "public/privacy.html")]
struct PrivacyPage {
    layout: Layout,
    /// The department's own introduction (sanitized HTML), if it wrote one.
    intro_html: Option<String>,
    minor_retention_months: u16,
    programs: Vec<ProgramQuestions>,
}

/// `GET /privacy`.
pub async fn show(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let dept = state.store.department().await?;
    let intro_html = state
        .store
        .content_by_slug(PRIVACY_SLUG)
        .await?
        .filter(|c| c.kind == ContentKind::Page && c.published)
        .map(|c| c.body_html);
    let mut programs: Vec<ProgramQuestions> = Vec::new();
    for row in state.store.privacy_questions().await? {
        let kept = questions::retention_text(u16::try_from(row.retention_months).unwrap_or(u16::MAX));
        let kind = QuestionKind::parse(&row.kind).map_or("", |k| k.label());
        let entry = (row.label, kind, kept, !row.archived);
        match programs.last_mut() {
            Some(p) if p.program == row.program_name => p.questions.push(entry),
            _ => programs.push(ProgramQuestions {
                program: row.program_name,
                questions: vec![entry],
            }),
        }
    }
    render(&PrivacyPage {
        layout: Layout::new(dept.as_ref(), "/privacy"),
        intro_html,
        minor_retention_months: state.config.minor_retention_months,
        programs,
    })
}
