//! The community-engagement report for a date range: a printable page with a chart of
//! hours per month (its table is the text alternative), CSV and PDF for grant progress
//! reports, and the same figures in the staff JSON API.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::Deserialize;

use crate::domain::access::{Permission, allows};
use crate::domain::engagement::{Engagement, Line};
use crate::web::AppState;
use crate::web::api::staff::ApiClient;
use crate::web::error::{ApiError, AppError, problem_response};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
pub struct Period {
    /// First day, `YYYY-MM-DD` (default: three months ago).
    from: String,
    /// Last day, `YYYY-MM-DD` (default: today).
    to: String,
}

async fn period(today: Date, p: &Period) -> Result<(Date, Date), AppError> {
    let day = |raw: &str, default: Date| match raw.trim() {
        "" => Ok(default),
        s => s
            .parse::<Date>()
            .map_err(|_| AppError::BadRequest("Enter dates as year-month-day, e.g. 2026-07-01.".into())),
    };
    let start = today
        .checked_sub(jiff::ToSpan::months(3))
        .unwrap_or(today)
        .first_of_month();
    let (from, to) = (day(&p.from, start)?, day(&p.to, today)?);
    if to < from {
        return Err(AppError::BadRequest("The period ends before it starts.".into()));
    }
    if to.since(from).map(|s| s.get_days()).unwrap_or(0) > 3 * 366 {
        return Err(AppError::BadRequest("Choose a period of at most three years.".into()));
    }
    Ok((from, to))
}

/// One bar of the chart, placed.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub label_x: i64,
    pub month: String,
    pub hours: f64,
}

fn bars(months: &[Line]) -> Vec<Bar> {
    let max = months.iter().map(|m| m.hours).fold(0.0_f64, f64::max).max(1.0);
    months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let height = (m.hours / max * 150.0).round() as i64;
            let x = 44 + i as i64 * 56;
            Bar {
                x,
                y: 20 + 150 - height,
                height,
                label_x: x + 18,
                month: m.name.clone(),
                hours: m.hours,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "staff/engagement.html")]
struct EngagementPage {
    layout: Layout,
    report: Engagement,
    tables: Vec<(&'static str, Vec<Line>)>,
    bars: Vec<Bar>,
    chart_width: i64,
}

/// `GET /staff/reports/engagement?from=&to=`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(p): Query<Period>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::SeeAllClasses)?;
    let (from, to) = period(ctx.today(), &p).await?;
    let report = crate::service::engagement::report(&state.store, from, to).await?;
    let bars = bars(&report.by_month);
    let dept = &ctx.department;
    let page = EngagementPage {
        layout: super::layout(dept.as_ref(), "/staff/reports/annual", user),
        chart_width: 60 + bars.len() as i64 * 56,
        bars,
        tables: vec![
            ("By officer", report.by_officer.clone()),
            ("By duty", report.by_duty.clone()),
            ("By school or college", report.by_school.clone()),
            ("By month", report.by_month.clone()),
        ],
        report,
    };
    Ok(render(&page)?.into_response())
}

fn sections(r: &Engagement) -> [(&'static str, &[Line]); 4] {
    [
        ("officer", &r.by_officer),
        ("duty", &r.by_duty),
        ("school", &r.by_school),
        ("month", &r.by_month),
    ]
}

/// `GET /staff/reports/engagement.csv?from=&to=`: one table, a row per figure.
pub async fn csv(State(state): State<AppState>, ctx: StaffPage, Query(p): Query<Period>) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::SeeAllClasses)?;
    let (from, to) = period(ctx.today(), &p).await?;
    let r = crate::service::engagement::report(&state.store, from, to).await?;
    let mut rows = vec![
        ["by", "name", "entries", "hours", "people_reached"]
            .map(String::from)
            .to_vec(),
    ];
    let line = |by: &str, l: &Line| {
        vec![
            by.to_string(),
            l.name.clone(),
            l.entries.to_string(),
            format!("{:.1}", l.hours),
            l.people_reached.to_string(),
        ]
    };
    rows.push(line("total", &r.total));
    for (by, lines) in sections(&r) {
        rows.extend(lines.iter().map(|l| line(by, l)));
    }
    // DARE counts: lessons in `entries`; graduates as the people of the graduations.
    let dare = |name: &str, entries: u32, people: u32| {
        vec![
            "dare".to_string(),
            name.to_string(),
            entries.to_string(),
            String::new(),
            people.to_string(),
        ]
    };
    rows.push(dare("lessons taught", r.dare.lessons_taught, 0));
    rows.push(dare("classes graduated", r.dare.classes_graduated, r.dare.graduates));
    super::export::csv_response(&format!("engagement-{from}-{to}.csv"), rows)
}

/// `GET /staff/reports/engagement.pdf?from=&to=`.
pub async fn pdf(State(state): State<AppState>, ctx: StaffPage, Query(p): Query<Period>) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::SeeAllClasses)?;
    let (from, to) = period(ctx.today(), &p).await?;
    let r = crate::service::engagement::report(&state.store, from, to).await?;
    let department = ctx.department.as_ref().map(|d| d.name.clone()).unwrap_or_default();
    let filename = format!("engagement-{from}-{to}.pdf");
    super::export::pdf_response(&filename, move || {
        use crate::documents::report_pdf::{Table, render_tables};
        let rows = |lines: &[Line]| -> Vec<Vec<String>> {
            lines
                .iter()
                .map(|l| {
                    vec![
                        l.name.clone(),
                        l.entries.to_string(),
                        format!("{:.1}", l.hours),
                        l.people_reached.to_string(),
                    ]
                })
                .collect()
        };
        let columns = |first: &'static str| {
            [
                (first, 260.0),
                ("Entries", 70.0),
                ("Hours", 70.0),
                ("People reached", 100.0),
            ]
        };
        let (o, d, s, m) = (
            rows(&r.by_officer),
            rows(&r.by_duty),
            rows(&r.by_school),
            rows(&r.by_month),
        );
        let (co, cd, cs, cm) = (
            columns("Officer"),
            columns("Duty"),
            columns("School or college"),
            columns("Month"),
        );
        render_tables(
            "Community engagement",
            &[
                department,
                format!("{} to {}", r.from, r.to),
                format!(
                    "{:.1} hours, {} people reached, {} entries.",
                    r.total.hours, r.total.people_reached, r.total.entries
                ),
                format!(
                    "DARE lessons taught: {}. DARE classes graduated: {} ({} graduates).",
                    r.dare.lessons_taught, r.dare.classes_graduated, r.dare.graduates
                ),
            ],
            &[
                Table {
                    heading: Some("By officer"),
                    columns: &co,
                    rows: &o,
                    empty: "Nothing logged.",
                },
                Table {
                    heading: Some("By duty"),
                    columns: &cd,
                    rows: &d,
                    empty: "Nothing logged.",
                },
                Table {
                    heading: Some("By school or college"),
                    columns: &cs,
                    rows: &s,
                    empty: "No school work logged.",
                },
                Table {
                    heading: Some("By month"),
                    columns: &cm,
                    rows: &m,
                    empty: "Nothing logged.",
                },
            ],
        )
    })
    .await
}

/// Community-engagement figures for a period: hours and people reached per officer,
/// duty, school and month. Admin and coordinator tokens only.
#[utoipa::path(get, path = "/api/v1/reports/engagement", tag = "staff", params(Period),
    security(("bearer" = [])),
    responses((status = 200, body = Engagement), (status = 400, body = crate::web::error::Problem),
              (status = 401, body = crate::web::error::Problem), (status = 403, body = crate::web::error::Problem)))]
pub async fn api(
    State(state): State<AppState>,
    client: ApiClient,
    Query(p): Query<Period>,
) -> Result<Response, ApiError> {
    if !allows(client.role, Permission::SeeAllClasses) {
        return Ok(problem_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This token's role may not read reports.",
        ));
    }
    let today = jiff::Timestamp::now()
        .to_zoned(state.store.department_name_zone().await?.1)
        .date();
    let (from, to) = period(today, &p).await?;
    Ok(Json(crate::service::engagement::report(&state.store, from, to).await?).into_response())
}
