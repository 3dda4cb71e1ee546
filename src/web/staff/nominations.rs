//! Teen academy nominations in the back office. Counselors nominate and see only their own
//! schools' students; coordinators see every school, set quotas, accept, decline and confirm.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::{Permission, allows};
use crate::domain::nomination::Scope;
use crate::domain::nomination::{NominationInput, NominationStatus};
use crate::domain::{ClassId, NominationId, Role, SchoolId};
use crate::service::Error;
use crate::service::nominations;
use crate::store::schools::{NominationRow, School};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

struct SchoolView {
    school: School,
    quota: Option<i64>,
    active: usize,
}

#[derive(Template)]
#[template(path = "staff/nominations.html")]
struct NominationsPage {
    layout: Layout,
    /// Cohorts taking nominations: `(id, name)`.
    cohorts: Vec<(ClassId, String)>,
    cohort: Option<ClassId>,
    schools: Vec<SchoolView>,
    rows: Vec<NominationRow>,
    can_nominate: bool,
    can_decide: bool,
    /// Whether this role is named to see sensitive fields (guardians' medical notes).
    sees_medical: bool,
    form: NominationInput,
    errors: Vec<String>,
    notice: Option<&'static str>,
}

fn status_label(code: &str) -> &'static str {
    NominationStatus::parse(code).map_or("Unknown", |s| s.label())
}

/// The schools whose nominations this staff member may handle; refused outright when none.
async fn scope(state: &AppState, ctx: &StaffPage) -> Result<Scope, AppError> {
    let user = &ctx.user;
    let own = match user.role {
        Role::Counselor => state.store.counselor_schools(user.id).await?,
        _ => Vec::new(),
    };
    match Scope::of(user.role, own) {
        Scope::Nothing => Err(AppError::Forbidden),
        scope => Ok(scope),
    }
}

async fn cohorts(state: &AppState) -> Result<Vec<(ClassId, String)>, AppError> {
    let nominating: Vec<_> = state
        .store
        .published_programs()
        .await?
        .into_iter()
        .filter(|p| p.eligibility.counselor_nomination)
        .map(|p| p.id)
        .collect();
    Ok(state
        .store
        .all_classes()
        .await?
        .into_iter()
        .filter(|c| nominating.contains(&c.program_id) && nominations::takes_nominations(c.status))
        .map(|c| (c.id, format!("{}: {}", c.program_name, c.name)))
        .collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Which {
    class: String,
    done: String,
    /// The school the last nomination was for: the form keeps it for the next one.
    school: String,
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    class: Option<ClassId>,
    form: NominationInput,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let scope = scope(state, ctx).await?;
    let cohorts = cohorts(state).await?;
    let cohort = class
        .filter(|c| cohorts.iter().any(|(id, _)| id == c))
        .or_else(|| cohorts.first().map(|(id, _)| *id));
    let all_schools = state.store.schools().await?;
    let (rows, quotas) = match cohort {
        Some(c) => (
            state.store.nominations(c, scope.schools()).await?,
            state.store.quotas(c).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let schools = all_schools
        .into_iter()
        .filter(|s| scope.covers(s.id))
        .map(|s| SchoolView {
            quota: quotas.iter().find(|(id, _)| *id == s.id).map(|(_, q)| *q),
            active: rows
                .iter()
                .filter(|r| r.school_id == s.id && !matches!(r.status.as_str(), "declined" | "withdrawn"))
                .count(),
            school: s,
        })
        .collect();
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let named = crate::domain::screening::parse_roles(&state.store.sensitive_roles().await?);
    let page = NominationsPage {
        sees_medical: crate::domain::nomination::sees_guardian_answers(user.role, &named),
        layout: super::layout(dept.as_ref(), "/staff/nominations", user),
        cohorts,
        cohort,
        schools,
        rows,
        can_nominate: allows(user.role, Permission::Nominate),
        can_decide: allows(user.role, Permission::RunClasses),
        form,
        errors,
        notice,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/nominations?class=ID`.
pub async fn show(State(state): State<AppState>, ctx: StaffPage, Query(q): Query<Which>) -> Result<Response, AppError> {
    let class = q.class.parse().ok();
    let notice = match q.done.as_str() {
        "nominated" => Some("The nomination is filed. The coordinator decides; you see the status here."),
        "accepted" => Some("Accepted. The guardian was emailed a consent link."),
        "declined" => Some("Declined; the reason is kept with the nomination."),
        "confirmed" => Some("Confirmed: the student is in the cohort."),
        "withdrawn" => Some("The nomination is withdrawn."),
        "quota" => Some("The quota is updated."),
        "updated" => Some("The nomination is corrected."),
        _ => None,
    };
    let form = NominationInput {
        school_id: q.school.trim().to_string(),
        ..NominationInput::default()
    };
    page(&state, &ctx, class, form, Vec::new(), notice).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NominateForm {
    class: String,
    #[serde(flatten)]
    input: NominationInput,
}

fn back(class: ClassId, done: &str) -> Response {
    crate::web::see_other(&format!("/staff/nominations?class={class}&done={done}"))
}

/// `POST /staff/nominations`: a counselor nominates a student of one of their schools.
pub async fn nominate(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<NominateForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::Nominate) {
        return Err(AppError::Forbidden);
    }
    let class: ClassId = form.class.parse().map_err(|_| AppError::NotFound("cohort"))?;
    if !cohorts(&state).await?.iter().any(|(id, _)| *id == class) {
        return Err(AppError::NotFound("cohort"));
    }
    let school: SchoolId = form
        .input
        .school_id
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound("school"))?;
    if !scope(&state, &ctx).await?.covers(school) {
        return Err(AppError::Forbidden);
    }
    let checked = match form.input.validate() {
        Ok(n) => n,
        Err(errors) => {
            let errors = errors.into_iter().map(|(_, m)| m).collect();
            return page(&state, &ctx, Some(class), form.input, errors, None).await;
        }
    };
    match nominations::nominate(&state.store, &actor(user), class, school, &checked, Timestamp::now()).await {
        // A counselor often nominates several students of one school in a row.
        Ok(_) => Ok(crate::web::see_other(&format!(
            "/staff/nominations?class={class}&done=nominated&school={school}"
        ))),
        Err(Error::Conflict { why: m, .. }) => page(&state, &ctx, Some(class), form.input, vec![m], None).await,
        Err(e) => Err(e.into()),
    }
}

/// Loads a nomination the user may act on (object-level check by school).
async fn nomination_for(state: &AppState, ctx: &StaffPage, id: NominationId) -> Result<NominationRow, AppError> {
    let n = state
        .store
        .nomination(id)
        .await?
        .ok_or(AppError::NotFound("nomination"))?;
    if !scope(state, ctx).await?.covers(n.school_id) {
        return Err(AppError::Forbidden);
    }
    Ok(n)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    reason: String,
}

/// `POST /staff/nominations/{id}/{action}`: accept, decline, confirm (coordinators) or
/// withdraw (the school's counselor or a coordinator).
pub async fn act(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((id, action)): Id<(NominationId, String)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let n = nomination_for(&state, &ctx, id).await?;
    let coordinator = allows(user.role, Permission::RunClasses);
    let who = actor(user);
    let now = Timestamp::now();
    let done = match action.as_str() {
        "accept" if coordinator => nominations::accept(&state.store, &state.links.base_url, &who, n.id, now)
            .await
            .map(|_| "accepted"),
        "decline" if coordinator => {
            let reason = form.reason.trim();
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(AppError::Invalid(
                    "Give a reason of up to 500 characters when declining.".into(),
                ));
            }
            nominations::decline(&state.store, &who, n.id, reason, now)
                .await
                .map(|_| "declined")
        }
        "confirm" if coordinator => nominations::confirm(&state.store, &who, n.id, now)
            .await
            .map(|_| "confirmed"),
        "withdraw" => nominations::withdraw(&state.store, &who, n.id, now)
            .await
            .map(|_| "withdrawn"),
        "accept" | "decline" | "confirm" => return Err(AppError::Forbidden),
        _ => return Err(AppError::NotFound("page")),
    };
    Ok(back(n.class_id, done?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuotaForm {
    class: String,
    school: String,
    seats: String,
}

/// `POST /staff/nominations/quota`: a school's limit for a cohort (empty: no limit).
pub async fn quota(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<QuotaForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    if !allows(user.role, Permission::RunClasses) {
        return Err(AppError::Forbidden);
    }
    let class: ClassId = form.class.parse().map_err(|_| AppError::NotFound("cohort"))?;
    let school: SchoolId = form.school.parse().map_err(|_| AppError::NotFound("school"))?;
    let seats = match form.seats.trim() {
        "" => None,
        s => Some(s.parse::<i64>().ok().filter(|n| (0..=500).contains(n)).ok_or_else(|| {
            AppError::Invalid("A quota is a whole number from 0 to 500, or empty for no limit.".into())
        })?),
    };
    nominations::set_quota(&state.store, &actor(user), class, school, seats, Timestamp::now()).await?;
    Ok(back(class, "quota"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    class: String,
    school: String,
}

/// A school's credit report rows for a cohort, after the object-level check: the school's
/// counselor and coordinators. Returns `(cohort name, school name, rows)`.
async fn credit_rows(
    state: &AppState,
    ctx: &StaffPage,
    q: &ReportQuery,
) -> Result<(String, String, Vec<Vec<String>>), AppError> {
    let class: ClassId = q.class.parse().map_err(|_| AppError::NotFound("cohort"))?;
    let school: SchoolId = q.school.parse().map_err(|_| AppError::NotFound("school"))?;
    if !scope(state, ctx).await?.covers(school) {
        return Err(AppError::Forbidden);
    }
    let school_name = state
        .store
        .schools()
        .await?
        .into_iter()
        .find(|s| s.id == school)
        .ok_or(AppError::NotFound("school"))?
        .name;
    let cohort = state.store.class(class).await?.ok_or(AppError::NotFound("cohort"))?;
    let (_, standings) = crate::service::graduation::verdicts(&state.store, class).await?;
    let held = state
        .store
        .sessions(class)
        .await?
        .iter()
        .filter(|s| !s.cancelled)
        .count();
    let mut rows = Vec::new();
    for n in state.store.nominations(class, Some(&[school])).await? {
        let Some(app) = n.application_id else { continue };
        let Some(s) = standings.iter().find(|s| s.p.id == app) else {
            continue;
        };
        let completed = match s.p.status.as_str() {
            "completed" => Some(true),
            "not_completed" => Some(false),
            _ => None,
        };
        let (done, credits) = crate::domain::nomination::credit(completed);
        rows.push(vec![
            format!("{} {}", n.first_name, n.last_name),
            n.grade.to_string(),
            n.student_number.clone(),
            s.verdict.attended.to_string(),
            held.to_string(),
            done.to_string(),
            credits.to_string(),
        ]);
    }
    Ok((format!("{}: {}", cohort.program_name, cohort.name), school_name, rows))
}

fn report_name(cohort: &str, school: &str, ext: &str) -> String {
    let slug: String = format!("{cohort}-{school}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("credit-report-{slug}.{ext}")
}

const HEADINGS: [&str; 7] = [
    "student",
    "grade",
    "student_id",
    "sessions_attended",
    "sessions_held",
    "completed",
    "credits",
];

/// `GET /staff/nominations/report.csv?class=&school=`: a school's credit report for a
/// cohort (student, grade, sessions attended, completed, credits).
pub async fn credit_report(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let (cohort, school, body) = credit_rows(&state, &ctx, &q).await?;
    let mut rows = vec![HEADINGS.map(String::from).to_vec()];
    rows.extend(body);
    super::export::csv_response(&report_name(&cohort, &school, "csv"), rows)
}

/// `GET /staff/nominations/report.pdf?class=&school=`: the same report, printable.
pub async fn credit_report_pdf(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let (cohort, school, rows) = credit_rows(&state, &ctx, &q).await?;
    let dept = state
        .store
        .department()
        .await?
        .map_or_else(|| "Police Department".to_string(), |d| d.name);
    let today = ctx.today();
    let subtitle = [
        dept,
        cohort.clone(),
        school.clone(),
        format!("As of {}", crate::format::date_long(today)),
    ];
    let filename = report_name(&cohort, &school, "pdf");
    super::export::pdf_response(&filename, move || {
        let columns = [
            ("Student", 150.0),
            ("Grade", 45.0),
            ("Student ID", 80.0),
            ("Attended", 60.0),
            ("Held", 45.0),
            ("Completed", 75.0),
            ("Credits", 50.0),
        ];
        crate::documents::report_pdf::render(&crate::documents::report_pdf::Report {
            title: "Teen Police Academy credit report",
            subtitle: &subtitle,
            columns: &columns,
            rows: &rows,
        })
    })
    .await
}

#[derive(Template)]
#[template(path = "staff/nomination_edit.html")]
struct EditPage {
    layout: Layout,
    id: NominationId,
    class_id: ClassId,
    school_name: String,
    form: NominationInput,
    errors: Vec<String>,
}

async fn edit_page(
    ctx: &StaffPage,
    n: &NominationRow,
    form: NominationInput,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        layout: super::layout(dept.as_ref(), "/staff/nominations", user),
        id: n.id,
        class_id: n.class_id,
        school_name: n.school_name.clone(),
        form,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

fn editable(n: &NominationRow) -> Result<(), AppError> {
    if n.status == NominationStatus::Nominated.code() {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "Only a nomination waiting for a decision can be corrected; withdraw it and nominate again.".into(),
        ))
    }
}

/// `GET /staff/nominations/{id}/edit`: correct a nomination before the coordinator decides.
pub async fn edit(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<NominationId>,
) -> Result<Response, AppError> {
    let n = nomination_for(&state, &ctx, id).await?;
    editable(&n)?;
    let form = NominationInput {
        school_id: n.school_id.to_string(),
        first_name: n.first_name.clone(),
        last_name: n.last_name.clone(),
        grade: n.grade.to_string(),
        student_number: n.student_number.clone(),
        guardian_name: n.guardian_name.clone(),
        guardian_email: n.guardian_email.clone(),
    };
    edit_page(&ctx, &n, form, Vec::new()).await
}

/// `POST /staff/nominations/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<NominationId>,
    Form(mut form): Form<NominationInput>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let n = nomination_for(&state, &ctx, id).await?;
    editable(&n)?;
    // The school stays: a student moving schools is a new nomination by the new school.
    form.school_id = n.school_id.to_string();
    let checked = match form.validate() {
        Ok(c) => c,
        Err(errors) => {
            let errors = errors.into_iter().map(|(_, m)| m).collect();
            return edit_page(&ctx, &n, form, errors).await;
        }
    };
    match nominations::correct(&state.store, &actor(user), &n, &checked, Timestamp::now()).await {
        Ok(()) => {}
        Err(crate::service::Error::Invalid { failures, .. }) => {
            return edit_page(&ctx, &n, form, crate::service::messages(&failures)).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(back(n.class_id, "updated"))
}
