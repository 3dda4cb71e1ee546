//! Survey results: distributions, paired change, response rates and free text, with SVG
//! charts and the tables that carry the same numbers, and their CSV.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::program;
use crate::domain::ClassId;
use crate::domain::access::Permission;
use crate::domain::survey::{self, Distribution, MIN_GROUP, Phase, QuestionKind, QuestionResult};
use crate::service::outcomes::{self, Results};
use crate::store::catalog::Program;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};
use crate::web::see_other;
use crate::web::staff::StaffPage;

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

pub(super) fn signed(x: f64) -> String {
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
    ctx: &StaffPage,
    slug: &str,
    q: &ClassQuery,
) -> Result<(Program, Option<ClassId>, Vec<(ClassId, String)>, Option<Results>), AppError> {
    let program = program(state, slug).await?;
    let tz = ctx.zone.clone();
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
    ctx: StaffPage,
    Path(slug): Path<String>,
    Query(q): Query<ClassQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    crate::web::staff::require(user, Permission::SeeAllClasses)?;
    let (program, class, classes, results) = scoped(&state, &ctx, &slug, &q).await?;
    let Some(results) = results else {
        return Ok(see_other(&format!("/staff/programs/{}/survey", program.slug)));
    };
    let dept = &ctx.department;
    let scope = match class {
        Some(id) => classes
            .iter()
            .find(|(c, _)| *c == id)
            .map_or_else(String::new, |(_, n)| n.clone()),
        None => "All classes".into(),
    };
    let page = ResultsPage {
        layout: crate::web::staff::layout(dept.as_ref(), "/staff", user),
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
    ctx: StaffPage,
    Path(slug): Path<String>,
    Query(q): Query<ClassQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    crate::web::staff::require(user, Permission::SeeAllClasses)?;
    let (program, class, _, results) = scoped(&state, &ctx, &slug, &q).await?;
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
    crate::web::staff::export::csv_response(&format!("survey-{}-{suffix}.csv", program.slug), rows)
}
