//! The annual community-programs report, as a page and a PDF.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::results::signed;
use crate::domain::access::Permission;
use crate::domain::survey::MIN_GROUP;
use crate::service::outcomes::{self, AnnualReport};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

async fn report_for(state: &AppState, ctx: &StaffPage, q: &YearQuery) -> Result<AnnualReport, AppError> {
    let this_year = ctx.today().year();
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
    ctx: StaffPage,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    crate::web::staff::require(user, Permission::SeeAllClasses)?;
    let report = report_for(&state, &ctx, &q).await?;
    let now_year = ctx.today().year();
    let dept = &ctx.department;
    let page = AnnualPage {
        layout: crate::web::staff::layout(dept.as_ref(), "/staff/reports/annual", user),
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
    ctx: StaffPage,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    crate::web::staff::require(user, Permission::SeeAllClasses)?;
    let report = report_for(&state, &ctx, &q).await?;
    let filename = format!("community-programs-{}.pdf", report.year);
    crate::web::staff::export::pdf_response(&filename, move || annual_pdf_bytes(&report)).await
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
