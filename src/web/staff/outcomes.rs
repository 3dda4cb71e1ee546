//! Outcomes for staff: a program's survey editor, its results (distributions, paired
//! change, response rates, free text; SVG charts with their tables), alumni messages,
//! and the annual community-programs report as a page and a PDF.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::survey::{
    self, DRAFT_KINDS, Distribution, Instrument, MIN_GROUP, Phase, QuestionDraft, QuestionKind, QuestionResult,
};
use crate::domain::{ClassId, ProgramId};
use crate::notify::messages;
use crate::service::outcomes::{self, AnnualReport, Results};
use crate::store::catalog::Program;
use crate::store::staff::{AuditRecord, StaffUser};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};
use crate::web::see_other;

async fn program(state: &AppState, slug: &str) -> Result<Program, AppError> {
    state
        .store
        .published_program(slug)
        .await?
        .ok_or(AppError::NotFound("program"))
}

// ---------------------------------------------------------------- the editor

/// One row of the editor; `index` names its fields (`q3_prompt`).
pub struct DraftRow {
    pub index: usize,
    pub draft: QuestionDraft,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/survey_edit.html")]
struct EditPage {
    layout: Layout,
    slug: String,
    name: String,
    title: String,
    active: bool,
    rows: Vec<DraftRow>,
    kinds: &'static [(&'static str, &'static str)],
    /// `(version, questions, answered)` of every stored wording, newest first.
    versions: Vec<(i64, usize, bool)>,
    current_answered: bool,
    exists: bool,
    errors: Vec<String>,
    saved: Option<i64>,
}

fn rows_of(instrument: &Instrument) -> Vec<DraftRow> {
    instrument
        .questions
        .iter()
        .enumerate()
        .map(|(index, q)| DraftRow {
            index,
            draft: QuestionDraft::of(q),
            error: None,
        })
        .collect()
}

/// The editor always offers one empty row for a new question.
fn with_blank(mut rows: Vec<DraftRow>) -> Vec<DraftRow> {
    let index = rows.iter().map(|r| r.index + 1).max().unwrap_or(0);
    rows.push(DraftRow {
        index,
        draft: QuestionDraft {
            kind: "likert5".into(),
            ..Default::default()
        },
        error: None,
    });
    rows
}

struct Edited {
    title: String,
    active: bool,
    rows: Vec<DraftRow>,
}

async fn edit_page(
    state: &AppState,
    user: &StaffUser,
    program: Program,
    edited: Option<Edited>,
    errors: Vec<String>,
    saved: Option<i64>,
) -> Result<Response, AppError> {
    let survey = state.store.survey(program.id).await?;
    // Read the sheets once, not once per version.
    let answered: std::collections::BTreeSet<i64> = state
        .store
        .survey_responses(program.id, None)
        .await?
        .iter()
        .map(|r| r.version_id)
        .collect();
    let versions = state
        .store
        .survey_versions(program.id)
        .await?
        .into_iter()
        .rev()
        .map(|v| (v.version, v.instrument.questions.len(), answered.contains(&v.id)))
        .collect();
    let (title, active, rows) = match (edited, &survey) {
        (Some(e), _) => (e.title, e.active, e.rows),
        (None, Some(s)) => (
            s.current.instrument.title.clone(),
            s.active,
            rows_of(&s.current.instrument),
        ),
        (None, None) => (String::new(), true, Vec::new()),
    };
    let dept = state.store.department().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        slug: program.slug,
        name: program.name,
        title,
        active,
        rows: with_blank(rows),
        kinds: DRAFT_KINDS,
        versions,
        current_answered: survey.as_ref().is_some_and(|s| s.answered),
        exists: survey.is_some(),
        errors,
        saved,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<i64>,
}

/// `GET /staff/programs/{slug}/survey`.
pub async fn edit(
    State(state): State<AppState>,
    user: StaffUser,
    Path(slug): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::RunClasses)?;
    let program = program(&state, &slug).await?;
    edit_page(&state, &user, program, None, Vec::new(), q.saved).await
}

/// Reads the editor's indexed fields into rows, in the order the coordinator numbered
/// them, leaving out removed rows and the untouched blank one.
fn read_rows(form: &[(String, String)]) -> Result<Vec<DraftRow>, String> {
    let mut rows: std::collections::BTreeMap<usize, (QuestionDraft, String, bool)> = Default::default();
    for (name, value) in form {
        let Some((index, field)) = name
            .strip_prefix('q')
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f)))
        else {
            continue;
        };
        if index >= 100 {
            return Err("A survey has at most 100 questions.".into());
        }
        let (d, order, removed) = rows.entry(index).or_default();
        let value = value.clone();
        match field {
            "key" => d.key = value,
            "prompt" => d.prompt = value,
            "kind" => d.kind = value,
            "options" => d.options = value,
            "low" => d.low = value,
            "high" => d.high = value,
            "order" => *order = value,
            "remove" => *removed = !value.is_empty(),
            _ => {}
        }
    }
    let mut kept: Vec<(f64, usize, QuestionDraft)> = rows
        .into_iter()
        .filter(|(_, (d, _, removed))| {
            let blank = d.key.trim().is_empty() && d.prompt.trim().is_empty();
            !removed && !blank
        })
        .map(|(index, (d, order, _))| (order.trim().parse::<f64>().unwrap_or(index as f64 + 1.0), index, d))
        .collect();
    kept.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(kept
        .into_iter()
        .enumerate()
        .map(|(index, (_, _, draft))| DraftRow {
            index,
            draft,
            error: None,
        })
        .collect())
}

/// `POST /staff/programs/{slug}/survey`: the editor's fields (indexed, so read as
/// pairs), or `action=default` to start from the academy questions.
pub async fn save(
    State(state): State<AppState>,
    user: StaffUser,
    Path(slug): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::RunClasses)?;
    let Form(form) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let program = program(&state, &slug).await?;
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let active = field("active").is_some_and(|v| !v.is_empty());
    let instrument = if field("action") == Some("default") {
        Ok(survey::default_academy_instrument())
    } else {
        let rows = read_rows(&form).map_err(AppError::BadRequest)?;
        let drafts: Vec<QuestionDraft> = rows.iter().map(|r| r.draft.clone()).collect();
        let title = field("title").unwrap_or_default();
        survey::from_drafts(title, &drafts).map_err(|problems| (title.to_string(), rows, problems))
    };
    let instrument = match instrument {
        Ok(i) => i,
        Err((title, mut rows, problems)) => {
            let mut general = Vec::new();
            for p in problems {
                match rows
                    .iter_mut()
                    .find(|r| Some(r.draft.key.trim()) == p.question.as_deref())
                {
                    Some(row) if row.error.is_none() => row.error = Some(p.message.clone()),
                    _ => {}
                }
                general.push(match &p.question {
                    Some(q) if !q.is_empty() => format!("{q}: {}", p.message),
                    _ => p.message,
                });
            }
            let edited = Edited { title, active, rows };
            return edit_page(&state, &user, program, Some(edited), general, None).await;
        }
    };
    let before = state.store.survey(program.id).await?.map(|s| s.current.instrument);
    let version = state
        .store
        .save_survey(
            program.id,
            &instrument,
            active,
            &AuditRecord {
                actor: &actor(&user),
                action: "survey.save",
                object_type: "program",
                object_id: program.slug.clone(),
                before: before.map(|b| serde_json::json!(b)),
                after: Some(serde_json::json!({ "instrument": instrument, "active": active })),
            },
            Timestamp::now(),
        )
        .await?;
    Ok(see_other(&format!(
        "/staff/programs/{}/survey?saved={version}",
        program.slug
    )))
}

// ---------------------------------------------------------------- results

const CHART_TOP: i64 = 24;
const CHART_HEIGHT: i64 = 140;
const BAR: i64 = 26;
const GROUP_GAP: i64 = 22;

/// One bar, placed.
pub struct ChartBar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub label_x: i64,
    /// `pre` or `post`, for the fill.
    pub phase: &'static str,
    pub percent: i64,
}

/// A grouped bar chart of before/after shares per answer.
pub struct Chart {
    pub id: String,
    pub width: i64,
    pub baseline: i64,
    pub bars: Vec<ChartBar>,
    /// `(x, label)` under each group.
    pub labels: Vec<(i64, String)>,
    pub description: String,
}

/// One answer's row of the data table.
pub struct TableRow {
    pub label: String,
    pub pre: String,
    pub post: String,
}

/// A question's results as the page shows them.
pub struct Panel {
    pub key: String,
    pub prompt: String,
    pub text: bool,
    pub pre_answered: usize,
    pub post_answered: usize,
    pub pre_hidden: bool,
    pub post_hidden: bool,
    pub chart: Option<Chart>,
    pub table: Vec<TableRow>,
    pub change: Option<String>,
    pub pairs: usize,
    pub texts: Vec<(&'static str, String)>,
    pub texts_hidden: bool,
}

fn share(count: usize, of: usize) -> i64 {
    if of == 0 {
        0
    } else {
        ((count as f64 / of as f64) * 100.0).round() as i64
    }
}

fn short(label: &str) -> String {
    let mut s: String = label.chars().take(14).collect();
    if label.chars().count() > 14 {
        s.push('…');
    }
    s
}

/// Lays out bars for the phases that may be shown.
pub fn chart(key: &str, prompt: &str, pre: &Distribution, post: &Distribution) -> Option<Chart> {
    let shown: Vec<(&'static str, &Distribution)> = [("pre", pre), ("post", post)]
        .into_iter()
        .filter(|(_, d)| !d.suppressed && d.answered > 0)
        .collect();
    let categories: Vec<&String> = shown.first()?.1.counts.iter().map(|(l, _)| l).collect();
    let group = BAR * shown.len() as i64 + GROUP_GAP;
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    let mut described = Vec::new();
    for (i, label) in categories.iter().enumerate() {
        let left = 40 + i as i64 * group;
        for (j, (phase, d)) in shown.iter().enumerate() {
            let count = d.counts.get(i).map_or(0, |(_, n)| *n);
            let percent = share(count, d.answered);
            let height = percent * CHART_HEIGHT / 100;
            let x = left + j as i64 * BAR;
            bars.push(ChartBar {
                x,
                y: CHART_TOP + CHART_HEIGHT - height,
                height,
                label_x: x + BAR / 2,
                phase,
                percent,
            });
        }
        labels.push((left + BAR * shown.len() as i64 / 2, short(label)));
        let parts: Vec<String> = shown
            .iter()
            .map(|(phase, d)| {
                let count = d.counts.get(i).map_or(0, |(_, n)| *n);
                let when = if *phase == "pre" { "before" } else { "after" };
                format!("{}% {when}", share(count, d.answered))
            })
            .collect();
        described.push(format!("{label}: {}", parts.join(", ")));
    }
    Some(Chart {
        id: format!("chart-{key}"),
        width: 40 + categories.len() as i64 * group,
        baseline: CHART_TOP + CHART_HEIGHT,
        bars,
        labels,
        description: format!("{prompt} Share of answers. {}.", described.join("; ")),
    })
}

fn signed(x: f64) -> String {
    if x > 0.0 { format!("+{x:.2}") } else { format!("{x:.2}") }
}

/// The change sentence under a scale question.
pub fn change_text(q: &QuestionResult) -> Option<String> {
    let c = q.change.as_ref()?;
    Some(format!(
        "Among the {} participants who answered both times: mean {:.2} before, {:.2} after, a change of {} (95% confidence interval {} to {}).",
        c.pairs,
        c.mean_pre,
        c.mean_post,
        signed(c.mean_change),
        signed(c.low),
        signed(c.high)
    ))
}

fn panel(q: &QuestionResult) -> Panel {
    let text = q.question.kind == QuestionKind::FreeText;
    let cell = |d: &Distribution, i: usize| -> String {
        if d.suppressed {
            return "—".into();
        }
        let n = d.counts.get(i).map_or(0, |(_, n)| *n);
        format!("{n} ({}%)", share(n, d.answered))
    };
    let labels: Vec<String> = match &q.question.kind {
        QuestionKind::Likert { points, low, high } => survey::answer_labels(&q.question)
            .into_iter()
            .map(|l| match l.as_str() {
                "1" => format!("1 – {low}"),
                p if p == points.to_string() => format!("{p} – {high}"),
                _ => l,
            })
            .collect(),
        _ => survey::answer_labels(&q.question),
    };
    Panel {
        key: q.question.key.clone(),
        prompt: q.question.prompt.clone(),
        text,
        pre_answered: q.pre.answered,
        post_answered: q.post.answered,
        pre_hidden: q.pre.suppressed,
        post_hidden: q.post.suppressed,
        chart: if text {
            None
        } else {
            chart(&q.question.key, &q.question.prompt, &q.pre, &q.post)
        },
        table: labels
            .iter()
            .enumerate()
            .map(|(i, label)| TableRow {
                label: label.clone(),
                pre: cell(&q.pre, i),
                post: cell(&q.post, i),
            })
            .collect(),
        change: change_text(q),
        pairs: q.pairs,
        texts: q.texts.iter().map(|(p, t)| (p.label(), t.clone())).collect(),
        texts_hidden: q.texts_suppressed,
    }
}

#[derive(Template)]
#[template(path = "staff/survey_results.html")]
struct ResultsPage {
    layout: Layout,
    slug: String,
    name: String,
    title: String,
    version: i64,
    classes: Vec<(i64, String, bool)>,
    class: Option<i64>,
    scope: String,
    rates: Vec<(&'static str, i64, i64, String)>,
    sheets: Vec<(&'static str, usize)>,
    panels: Vec<Panel>,
    min_group: usize,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ClassQuery {
    class: String,
}

async fn scoped(
    state: &AppState,
    slug: &str,
    q: &ClassQuery,
) -> Result<(Program, Option<ClassId>, Vec<(ClassId, String)>, Option<Results>), AppError> {
    let program = program(state, slug).await?;
    let tz = super::zone(state).await?;
    let classes: Vec<(ClassId, String)> = state
        .store
        .class_years(program.id, &tz)
        .await?
        .into_iter()
        .map(|c| (c.class_id, c.name))
        .collect();
    let class = match q.class.trim() {
        "" | "all" => None,
        raw => {
            let id: ClassId = raw
                .parse()
                .map_err(|_| AppError::BadRequest("Choose a class from the list.".into()))?;
            if !classes.iter().any(|(c, _)| *c == id) {
                return Err(AppError::NotFound("class"));
            }
            Some(id)
        }
    };
    let results = outcomes::results(&state.store, program.id, class, None).await?;
    Ok((program, class, classes, results))
}

/// `GET /staff/programs/{slug}/survey/results?class=`.
pub async fn results(
    State(state): State<AppState>,
    user: StaffUser,
    Path(slug): Path<String>,
    Query(q): Query<ClassQuery>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::SeeAllClasses)?;
    let (program, class, classes, results) = scoped(&state, &slug, &q).await?;
    let Some(results) = results else {
        return Ok(see_other(&format!("/staff/programs/{}/survey", program.slug)));
    };
    let dept = state.store.department().await?;
    let scope = match class {
        Some(id) => classes
            .iter()
            .find(|(c, _)| *c == id)
            .map_or_else(String::new, |(_, n)| n.clone()),
        None => "All classes".into(),
    };
    let page = ResultsPage {
        layout: super::layout(dept.as_ref(), "/staff", &user),
        slug: program.slug,
        name: program.name,
        title: results.title,
        version: results.version,
        classes: classes
            .into_iter()
            .map(|(id, n)| (id.get(), n, Some(id) == class))
            .collect(),
        class: class.map(ClassId::get),
        scope,
        rates: results
            .rates
            .iter()
            .map(|r| {
                (
                    r.phase.label(),
                    r.uptake.invited,
                    r.uptake.answered,
                    r.rate.map_or("—".into(), |x| format!("{x:.0}%")),
                )
            })
            .collect(),
        sheets: results.sheets.iter().map(|(p, n)| (p.label(), *n)).collect(),
        panels: results.questions.iter().map(panel).collect(),
        min_group: MIN_GROUP,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /staff/programs/{slug}/survey/results.csv?class=`: aggregates only (no sheet,
/// no free text), with small groups left out as on the page.
pub async fn results_csv(
    State(state): State<AppState>,
    user: StaffUser,
    Path(slug): Path<String>,
    Query(q): Query<ClassQuery>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::SeeAllClasses)?;
    let (program, class, _, results) = scoped(&state, &slug, &q).await?;
    let results = results.ok_or(AppError::NotFound("survey"))?;
    let mut rows = vec![vec![
        "question_key".to_string(),
        "question".into(),
        "measure".into(),
        "before".into(),
        "after".into(),
    ]];
    let hidden = format!("fewer than {MIN_GROUP}");
    let rate = |phase: Phase| {
        results
            .rates
            .iter()
            .find(|r| r.phase == phase)
            .map_or_else(String::new, |r| {
                format!("{} of {}", r.uptake.answered, r.uptake.invited)
            })
    };
    rows.push(vec![
        String::new(),
        String::new(),
        "invitations answered".into(),
        rate(Phase::Pre),
        rate(Phase::Post),
    ]);
    for q in results
        .questions
        .iter()
        .filter(|q| q.question.kind != QuestionKind::FreeText)
    {
        let line = |measure: String, before: String, after: String| {
            vec![
                q.question.key.clone(),
                q.question.prompt.clone(),
                measure,
                before,
                after,
            ]
        };
        let count = |d: &Distribution, i: usize| {
            if d.suppressed {
                hidden.clone()
            } else {
                d.counts.get(i).map_or(0, |(_, n)| *n).to_string()
            }
        };
        let answered = |d: &Distribution| {
            if d.suppressed && d.answered > 0 {
                hidden.clone()
            } else {
                d.answered.to_string()
            }
        };
        rows.push(line("answered".into(), answered(&q.pre), answered(&q.post)));
        for (i, label) in survey::answer_labels(&q.question).iter().enumerate() {
            rows.push(line(format!("answer: {label}"), count(&q.pre, i), count(&q.post, i)));
        }
        if let Some(c) = &q.change {
            rows.push(line(
                "paired mean".into(),
                format!("{:.3}", c.mean_pre),
                format!("{:.3}", c.mean_post),
            ));
            rows.push(line("pairs".into(), c.pairs.to_string(), c.pairs.to_string()));
            rows.push(line(
                "mean change".into(),
                String::new(),
                format!("{:.3}", c.mean_change),
            ));
            rows.push(line(
                "mean change, 95% interval".into(),
                format!("{:.3}", c.low),
                format!("{:.3}", c.high),
            ));
        }
    }
    let suffix = class.map_or_else(|| "all".to_string(), |c| c.to_string());
    super::export::csv_response(&format!("survey-{}-{suffix}.csv", program.slug), rows)
}

// ---------------------------------------------------------------- alumni

#[derive(Template)]
#[template(path = "staff/alumni.html")]
struct AlumniPage {
    layout: Layout,
    counts: Vec<crate::store::surveys::AlumniCount>,
    programs: Vec<(i64, String)>,
    subject: String,
    body: String,
    program: String,
    errors: Vec<String>,
    sent: Option<usize>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AlumniForm {
    program: String,
    subject: String,
    body: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SentQuery {
    sent: Option<usize>,
}

async fn alumni_page(
    state: &AppState,
    user: &StaffUser,
    form: AlumniForm,
    errors: Vec<String>,
    sent: Option<usize>,
) -> Result<Response, AppError> {
    let counts = state.store.alumni_counts().await?;
    let programs = counts
        .iter()
        .filter(|c| c.opted_in > 0)
        .map(|c| (c.program_id.get(), c.program_name.clone()))
        .collect();
    let dept = state.store.department().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AlumniPage {
        layout: super::layout(dept.as_ref(), "/staff/alumni", user),
        counts,
        programs,
        subject: form.subject,
        body: form.body,
        program: form.program,
        errors,
        sent,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/alumni`.
pub async fn alumni(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<SentQuery>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::RunClasses)?;
    alumni_page(&state, &user, AlumniForm::default(), Vec::new(), q.sent).await
}

/// `POST /staff/alumni`: one message per opted-in graduate, through the outbox.
pub async fn message_alumni(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<AlumniForm>, FormRejection>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::RunClasses)?;
    let Form(form) = form.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let mut errors = Vec::new();
    let subject = form.subject.trim();
    let body = form.body.trim();
    if subject.is_empty() || subject.chars().count() > 150 {
        errors.push("Write a subject of up to 150 characters.".to_string());
    }
    if body.is_empty() || body.chars().count() > 10_000 {
        errors.push("Write the message (up to 10,000 characters).".to_string());
    }
    let program = match form.program.trim() {
        "" | "all" => None,
        raw => {
            Some(ProgramId::new(raw.parse().map_err(|_| {
                AppError::BadRequest("Choose a program from the list.".into())
            })?))
        }
    };
    if !errors.is_empty() {
        return alumni_page(&state, &user, form, errors, None).await;
    }
    let alumni = state.store.alumni(program).await?;
    if alumni.is_empty() {
        errors.push("No graduate of that program has asked to keep in touch yet.".into());
        return alumni_page(&state, &user, form, errors, None).await;
    }
    let dept = state.store.department().await?;
    let department = dept.as_ref().map_or("", |d| d.name.as_str());
    let base = &state.links.base_url;
    let messages: Vec<_> = alumni
        .iter()
        .map(|a| {
            messages::alumni_news(
                department,
                &a.email,
                subject,
                body,
                crate::store::outbox::SecretLink::new(
                    crate::domain::mail::LinkKind::Unsubscribe,
                    base,
                    &a.unsubscribe_token,
                    None,
                ),
            )
        })
        .collect();
    let now = Timestamp::now();
    let mut tx = state.store.begin().await?;
    tx.enqueue_many(&messages, now).await?;
    tx.audit(
        &AuditRecord {
            actor: &actor(&user),
            action: "alumni.message",
            object_type: "alumni",
            object_id: program.map_or_else(|| "all".into(), |p| p.to_string()),
            before: None,
            after: Some(serde_json::json!({ "subject": subject, "recipients": messages.len() })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/staff/alumni?sent={}", messages.len())))
}

// ---------------------------------------------------------------- annual report

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

async fn report_for(state: &AppState, q: &YearQuery) -> Result<AnnualReport, AppError> {
    let this_year = super::today(state).await?.year();
    let year = match q.year.trim() {
        "" => this_year,
        raw => raw
            .parse::<i16>()
            .ok()
            .filter(|y| (2000..=this_year + 1).contains(y))
            .ok_or_else(|| AppError::BadRequest(format!("Choose a year from 2000 to {}.", this_year + 1)))?,
    };
    Ok(outcomes::annual_report(&state.store, year).await?)
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("—".into(), |r| format!("{:.0}%", r * 100.0))
}

/// A report's outcome line in words.
fn outcome_words(line: &outcomes::OutcomeLine) -> String {
    match &line.change {
        Some(c) => format!(
            "{} → {} ({}, 95% CI {} to {}; {} pairs)",
            format_args!("{:.2}", c.mean_pre),
            format_args!("{:.2}", c.mean_post),
            signed(c.mean_change),
            signed(c.low),
            signed(c.high),
            c.pairs
        ),
        None => format!("Fewer than {MIN_GROUP} participants answered before and after; not shown."),
    }
}

#[derive(Template)]
#[template(path = "staff/annual_report.html")]
struct AnnualPage {
    layout: Layout,
    report: AnnualReport,
    totals: (i64, i64, i64, i64),
    attendance: Vec<String>,
    outcomes: Vec<(String, Vec<(String, String)>)>,
    years: Vec<i16>,
}

/// `GET /staff/reports/annual?year=`: printable.
pub async fn annual(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::SeeAllClasses)?;
    let report = report_for(&state, &q).await?;
    let now_year = super::today(&state).await?.year();
    let dept = state.store.department().await?;
    let page = AnnualPage {
        layout: super::layout(dept.as_ref(), "/staff/reports/annual", &user),
        totals: report.totals(),
        attendance: report
            .programs
            .iter()
            .map(|p| percent(p.figures.attendance_rate))
            .collect(),
        outcomes: report
            .programs
            .iter()
            .filter(|p| !p.outcomes.is_empty())
            .map(|p| {
                (
                    p.name.clone(),
                    p.outcomes
                        .iter()
                        .map(|l| (l.prompt.clone(), outcome_words(l)))
                        .collect(),
                )
            })
            .collect(),
        years: (2020..=now_year).rev().collect(),
        report,
    };
    Ok(render(&page)?.into_response())
}

/// `GET /staff/reports/annual.pdf?year=`.
pub async fn annual_pdf(
    State(state): State<AppState>,
    user: StaffUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    super::require(&user, Permission::SeeAllClasses)?;
    let report = report_for(&state, &q).await?;
    let filename = format!("community-programs-{}.pdf", report.year);
    super::export::pdf_response(&filename, move || annual_pdf_bytes(&report)).await
}

fn annual_pdf_bytes(report: &AnnualReport) -> anyhow::Result<Vec<u8>> {
    use crate::documents::report_pdf::{Table, render_tables};
    let (classes, graduates, seats, applications) = report.totals();
    let subtitle = vec![
        report.department.clone(),
        format!(
            "{classes} classes, {graduates} graduates, {applications} applications for {seats} seats; \
             {} graduates keep in touch as alumni.",
            report.alumni_opted_in
        ),
    ];
    let programs: Vec<Vec<String>> = report
        .programs
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.figures.classes.to_string(),
                p.figures.graduates.to_string(),
                format!("{} / {}", p.figures.applications, p.figures.seats),
                percent(p.figures.attendance_rate),
            ]
        })
        .collect();
    let requests: Vec<Vec<String>> = report
        .requests
        .iter()
        .map(|r| vec![r.name.clone(), r.received.to_string(), r.closed.to_string()])
        .collect();
    let outcomes: Vec<Vec<String>> = report
        .programs
        .iter()
        .flat_map(|p| {
            p.outcomes.iter().map(|l| {
                let mut prompt: String = l.prompt.chars().take(52).collect();
                if l.prompt.chars().count() > 52 {
                    prompt.push('…');
                }
                let change = match &l.change {
                    Some(c) => format!(
                        "{} ({} to {}), n={}",
                        signed(c.mean_change),
                        signed(c.low),
                        signed(c.high),
                        c.pairs
                    ),
                    None => format!("fewer than {MIN_GROUP} pairs"),
                };
                vec![p.name.clone(), prompt, change]
            })
        })
        .collect();
    render_tables(
        &format!("Community programs {}", report.year),
        &subtitle,
        &[
            Table {
                heading: Some("Programs"),
                columns: &[
                    ("Program", 190.0),
                    ("Classes", 60.0),
                    ("Graduates", 70.0),
                    ("Applications / seats", 110.0),
                    ("Attendance", 70.0),
                ],
                rows: &programs,
                empty: "No classes met this year.",
            },
            Table {
                heading: Some("Community requests"),
                columns: &[("Type", 300.0), ("Received", 100.0), ("Closed", 100.0)],
                rows: &requests,
                empty: "No requests were received this year.",
            },
            Table {
                heading: Some("Survey outcomes: mean change in agreement (95% interval)"),
                columns: &[("Program", 130.0), ("Statement", 240.0), ("Change", 130.0)],
                rows: &outcomes,
                empty: "No survey results this year.",
            },
        ],
    )
}
