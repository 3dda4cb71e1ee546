//! A program's figures for staff: totals, a table per year and a bar chart of
//! graduates per year (server-rendered SVG, with the table as its text alternative).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use crate::domain::access::{Permission, allows};
use crate::domain::stats::YearFigures;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

/// One bar of the chart, already placed.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub label_x: i64,
    pub year: i16,
    pub value: i64,
}

const CHART_HEIGHT: i64 = 160;
const BAR_WIDTH: i64 = 40;
const GAP: i64 = 24;

/// Lays out bars for graduates per year, scaled to the tallest.
pub fn bars(years: &[YearFigures]) -> Vec<Bar> {
    let max = years.iter().map(|y| y.graduates).max().unwrap_or(0).max(1);
    years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let height = y.graduates * CHART_HEIGHT / max;
            let x = 40 + i as i64 * (BAR_WIDTH + GAP);
            Bar {
                x,
                y: 20 + CHART_HEIGHT - height,
                height,
                label_x: x + BAR_WIDTH / 2,
                year: y.year,
                value: y.graduates,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "staff/statistics.html")]
struct StatisticsPage {
    layout: Layout,
    name: String,
    classes_graduated: i64,
    graduates: i64,
    years: Vec<(YearFigures, String)>,
    bars: Vec<Bar>,
    chart_width: i64,
    bar_width: i64,
}

/// `GET /staff/programs/{slug}/statistics`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::SeeAllClasses) {
        return Err(AppError::Forbidden);
    }
    let program = state
        .store
        .published_program(&slug)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let stats = crate::web::api::catalog::statistics_of(&state, &slug)
        .await
        .map_err(|e| e.0)?;
    let dept = &ctx.department;
    let bars = bars(&stats.years);
    let page = StatisticsPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        name: program.name,
        classes_graduated: stats.classes_graduated,
        graduates: stats.graduates,
        chart_width: 60 + bars.len() as i64 * (BAR_WIDTH + GAP),
        bar_width: BAR_WIDTH,
        bars,
        years: stats
            .years
            .into_iter()
            .map(|y| {
                let rate = y
                    .attendance_rate
                    .map_or("—".to_string(), |r| format!("{:.0}%", r * 100.0));
                (y, rate)
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}
