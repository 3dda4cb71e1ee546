//! Answering a survey from its single-use link, and leaving the alumni list.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use crate::domain::survey::{Instrument, QuestionKind, SurveyProblem};
use crate::service::outcomes::{self, Closed, Submitted};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};

/// One choice of a question, as the form shows it.
pub struct ChoiceView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A question, ready for the template.
pub struct QuestionView {
    pub key: String,
    /// `scale`, `single`, `multiple` or `text`.
    pub kind: &'static str,
    pub prompt: String,
    pub hint: String,
    pub choices: Vec<ChoiceView>,
    pub text: String,
    pub error: Option<String>,
}

fn questions(instrument: &Instrument, given: &[(String, String)], problems: &[SurveyProblem]) -> Vec<QuestionView> {
    let chosen = |key: &str, value: &str| given.iter().any(|(k, v)| k == key && v == value);
    let answered = |key: &str| given.iter().any(|(k, v)| k == key && !v.trim().is_empty());
    instrument
        .questions
        .iter()
        .map(|q| {
            let choice = |i: usize, value: String, label: String| ChoiceView {
                id: format!("q-{}-{i}", q.key),
                checked: chosen(&q.key, &value),
                value,
                label,
            };
            // A radio group cannot be cleared once clicked, so it offers "no answer".
            let none = || ChoiceView {
                id: format!("q-{}-none", q.key),
                value: String::new(),
                label: "I'd rather not answer".into(),
                checked: !answered(&q.key),
            };
            let (kind, hint, choices) = match &q.kind {
                QuestionKind::Likert { points, low, high } => {
                    let mut c: Vec<ChoiceView> = (1..=*points)
                        .map(|n| {
                            let label = match n {
                                1 => format!("1 – {low}"),
                                n if n == *points => format!("{n} – {high}"),
                                n => n.to_string(),
                            };
                            choice(usize::from(n), n.to_string(), label)
                        })
                        .collect();
                    c.push(none());
                    ("scale", format!("From 1 ({low}) to {points} ({high})."), c)
                }
                QuestionKind::SingleChoice { options } => {
                    let mut c: Vec<ChoiceView> = options
                        .iter()
                        .enumerate()
                        .map(|(i, o)| choice(i, o.clone(), o.clone()))
                        .collect();
                    c.push(none());
                    ("single", "Choose one.".to_string(), c)
                }
                QuestionKind::MultipleChoice { options } => (
                    "multiple",
                    "Choose any that apply, or none.".to_string(),
                    options
                        .iter()
                        .enumerate()
                        .map(|(i, o)| choice(i, o.clone(), o.clone()))
                        .collect(),
                ),
                QuestionKind::FreeText => ("text", "Optional.".to_string(), Vec::new()),
            };
            QuestionView {
                key: q.key.clone(),
                kind,
                prompt: q.prompt.clone(),
                hint,
                choices,
                text: given
                    .iter()
                    .filter(|(k, _)| *k == q.key)
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                error: problems
                    .iter()
                    .find(|p| p.question.as_deref() == Some(q.key.as_str()))
                    .map(|p| p.message.clone()),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "public/survey.html")]
struct SurveyPage {
    layout: Layout,
    /// `form`, `thanks`, `used`, `unknown` or `withdrawn`.
    step: &'static str,
    token: String,
    title: String,
    course: String,
    after: bool,
    questions: Vec<QuestionView>,
    problems: Vec<String>,
    max_text: usize,
}

impl SurveyPage {
    async fn new(state: &AppState, step: &'static str, token: &str) -> Result<SurveyPage, AppError> {
        let dept = state.store.department().await?;
        Ok(SurveyPage {
            layout: Layout::new(dept.as_ref(), ""),
            step,
            token: token.to_string(),
            title: String::new(),
            course: String::new(),
            after: false,
            questions: Vec::new(),
            problems: Vec::new(),
            max_text: crate::domain::survey::MAX_TEXT_CHARS,
        })
    }
}

fn closed_step(c: &Closed) -> (&'static str, StatusCode) {
    match c {
        Closed::Unknown => ("unknown", StatusCode::NOT_FOUND),
        Closed::Used => ("used", StatusCode::GONE),
        Closed::Withdrawn => ("withdrawn", StatusCode::GONE),
    }
}

async fn form_page(
    state: &AppState,
    token: &str,
    given: &[(String, String)],
    problems: &[SurveyProblem],
) -> Result<Response, AppError> {
    match outcomes::open(&state.store, token).await? {
        Err(closed) => {
            let (step, status) = closed_step(&closed);
            Ok((status, render(&SurveyPage::new(state, step, token).await?)?).into_response())
        }
        Ok(opened) => {
            let mut page = SurveyPage::new(state, "form", token).await?;
            page.title = opened.instrument.title.clone();
            page.course = format!("{}: {}", opened.program_name, opened.class_name);
            page.after = opened.phase == crate::domain::survey::Phase::Post;
            page.questions = questions(&opened.instrument, given, problems);
            page.problems = problems.iter().map(|p| p.message.clone()).collect();
            let status = if problems.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((status, render(&page)?).into_response())
        }
    }
}

/// `GET /surveys/{token}`.
pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    form_page(&state, &token, &[], &[]).await
}

/// `POST /surveys/{token}`: the form as pairs, since multiple choice repeats a key.
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, AppError> {
    let Form(given) =
        form.map_err(|e| AppError::BadRequest(format!("The form could not be read: {}", e.body_text())))?;
    match outcomes::submit(&state.store, &state.survey_key, &token, &given, Timestamp::now()).await? {
        Submitted::Saved => Ok(render(&SurveyPage::new(&state, "thanks", &token).await?)?.into_response()),
        Submitted::Closed(closed) => {
            let (step, status) = closed_step(&closed);
            Ok((status, render(&SurveyPage::new(&state, step, &token).await?)?).into_response())
        }
        Submitted::Invalid(problems) => form_page(&state, &token, &given, &problems).await,
    }
}

#[derive(Template)]
#[template(path = "public/interest.html")]
struct LeavePage {
    layout: Layout,
    heading: String,
    message: String,
    confirm_action: Option<String>,
    program_slug: Option<String>,
}

/// `GET /alumni/leave/{token}`: a confirmation button (mail scanners follow links).
pub async fn confirm_leave(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    if !state.store.alumni_token_exists(&token).await? {
        return Err(AppError::NotFound("alumni subscription"));
    }
    let dept = state.store.department().await?;
    let page = LeavePage {
        layout: Layout::new(dept.as_ref(), ""),
        heading: "Stop alumni emails?".into(),
        message: "You will no longer hear about volunteer opportunities and alumni events.".into(),
        confirm_action: Some(format!("/alumni/leave/{token}")),
        program_slug: None,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /alumni/leave/{token}`.
pub async fn leave(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    let name = state
        .store
        .leave_alumni(&token)
        .await?
        .ok_or(AppError::NotFound("alumni subscription"))?;
    let dept = state.store.department().await?;
    let page = LeavePage {
        layout: Layout::new(dept.as_ref(), ""),
        heading: "You have left the alumni list".into(),
        message: format!(
            "We will not email you as a {name} graduate any more. You can opt in again from your applications page."
        ),
        confirm_action: None,
        program_slug: None,
    };
    Ok(render(&page)?.into_response())
}
