//! DARE classes at schools: coordinators plan them (from a school's presentation request
//! or by hand); the instructor records each lesson on a phone, graduates the class and
//! prints certificates from names that are typed, typeset and not kept.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::{Permission, allows};
use crate::domain::dare::{self, DareStatus, LessonForm, LessonStatus, PlanForm};
use crate::domain::{DareClassId, Duty, LessonId, RequestId, SchoolId, StaffId};
use crate::format;
use crate::service::Error;
use crate::store::dare::DareClass;
use crate::store::staff::StaffUser;
use crate::web::AppState;
use crate::web::error::{AppError, form_problems};
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::see_other;
use crate::web::staff::StaffPage;

/// A lesson as pages show it.
pub struct LessonView {
    pub id: LessonId,
    pub position: u16,
    pub topic: String,
    pub when: String,
    pub date: String,
    pub start: String,
    pub status: LessonStatus,
    pub present: Option<u32>,
    /// Begun by now: only then can it be recorded as taught.
    pub started: bool,
}

/// A class as pages show it.
pub struct ClassView {
    pub id: DareClassId,
    pub school: String,
    pub teacher: String,
    pub grade: String,
    pub students: u32,
    pub instructor: String,
    pub request_id: Option<RequestId>,
    pub status: DareStatus,
    pub graduated_on: Option<String>,
    pub graduates: Option<u32>,
    pub certificates: u32,
    pub taught: usize,
    pub span: String,
    pub lessons: Vec<LessonView>,
}

pub fn view(c: DareClass, tz: &jiff::tz::TimeZone) -> ClassView {
    let local = |t: Timestamp| t.to_zoned(tz.clone());
    let now = Timestamp::now();
    ClassView {
        instructor: c.instructor_with_rank(),
        span: format::date_span(
            c.lessons.first().map(|l| l.starts_at),
            c.lessons.last().map(|l| l.starts_at),
            tz,
        ),
        taught: c.lessons.iter().filter(|l| l.status == LessonStatus::Taught).count(),
        grade: dare::grade_label(c.grade),
        graduated_on: c.graduated_on.map(format::date_long),
        lessons: c
            .lessons
            .into_iter()
            .map(|l| LessonView {
                when: format::span(l.starts_at.as_second(), l.ends_at.as_second(), tz),
                started: l.starts_at <= now,
                date: local(l.starts_at).date().to_string(),
                start: local(l.starts_at).time().strftime("%H:%M").to_string(),
                id: l.id,
                position: l.position,
                topic: l.topic,
                status: l.status,
                present: l.present,
            })
            .collect(),
        id: c.id,
        school: c.school,
        teacher: c.teacher,
        students: c.students,
        request_id: c.request_id,
        status: c.status,
        graduates: c.graduates,
        certificates: c.certificates,
    }
}

fn coordinator(user: &StaffUser) -> bool {
    allows(user.role, Permission::RunClasses)
}

/// Coordinators see every class; officers see the classes they teach.
fn require_staff(user: &StaffUser) -> Result<(), AppError> {
    if allows(user.role, Permission::FieldWork) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Template)]
#[template(path = "staff/dare.html")]
struct ListPage {
    layout: Layout,
    coordinator: bool,
    classes: Vec<ClassView>,
    schools: Vec<(SchoolId, String)>,
    grades: Vec<(u8, String)>,
    instructors: Vec<(StaffId, String)>,
    form: PlanForm,
    errors: Vec<String>,
}

async fn list_page(
    state: &AppState,
    ctx: &StaffPage,
    form: PlanForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let tz = ctx.zone.clone();
    let dept = &ctx.department;
    let coordinator = coordinator(user);
    let classes = state
        .store
        .dare_classes((!coordinator).then_some(user.id))
        .await?
        .into_iter()
        .map(|c| view(c, &tz))
        .collect();
    let today = ctx.today();
    let instructors = state
        .store
        .duty_holders(&[Duty::DareInstructor], today)
        .await?
        .into_iter()
        .map(|d| (d.staff_id, d.officer))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        layout: super::layout(dept.as_ref(), "/staff/dare", user),
        coordinator,
        classes,
        schools: state
            .store
            .schools()
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect(),
        grades: (0..=12).map(|g| (g, dare::grade_label(g))).collect(),
        instructors,
        form,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FromRequest {
    request: String,
}

/// `GET /staff/dare?request=ID`: the classes, and for coordinators the plan form
/// (filled from a school's presentation request).
pub async fn list(
    State(state): State<AppState>,
    ctx: StaffPage,
    Query(q): Query<FromRequest>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    require_staff(user)?;
    let mut form = PlanForm {
        grade: "5".into(),
        minutes: "45".into(),
        lessons: dare::CURRICULUM.len().to_string(),
        ..Default::default()
    };
    if coordinator(user)
        && let Ok(id) = q.request.trim().parse::<RequestId>()
        && let Some(r) = state.store.request(id).await?
        && r.service_code == "presentation"
    {
        let answer = |k: &str| r.attributes.get(k).and_then(|v| v.first()).cloned().unwrap_or_default();
        form.request_id = id.to_string();
        let organization = answer("organization");
        if let Some(s) = state
            .store
            .schools()
            .await?
            .into_iter()
            .find(|s| s.name.eq_ignore_ascii_case(organization.trim()))
        {
            form.school_id = s.id.to_string();
        }
        form.students = answer("attendance");
    }
    list_page(&state, &ctx, form, Vec::new()).await
}

/// `POST /staff/dare`: plans a class and its lessons.
pub async fn plan(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<PlanForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let plan = match form.check(&ctx.zone.clone()) {
        Ok(p) => p,
        Err(errors) => return list_page(&state, &ctx, form, errors).await,
    };
    let who = actor(user);
    match crate::service::dare::plan(&state.store, &state.links, (user.id, &who), &plan, Timestamp::now()).await {
        Ok(id) => Ok(see_other(&format!("/staff/dare/{id}"))),
        Err(e) => list_page(&state, &ctx, form, form_problems(e)?).await,
    }
}

#[derive(Template)]
#[template(path = "staff/dare_class.html")]
struct ClassPage {
    layout: Layout,
    coordinator: bool,
    class: ClassView,
    today: String,
    graduates: String,
    graduated_on: String,
    names: String,
    errors: Vec<String>,
    /// The lesson whose form the errors belong to.
    lesson_errors: Option<LessonId>,
}

/// Coordinators, and the class's own instructor, see and work a class.
async fn class_for(state: &AppState, ctx: &StaffPage, id: DareClassId) -> Result<DareClass, AppError> {
    let user = &ctx.user;
    require_staff(user)?;
    let class = state
        .store
        .dare_class(id)
        .await?
        .ok_or(AppError::NotFound("DARE class"))?;
    if !(coordinator(user) || class.instructor_id == user.id) {
        return Err(AppError::Forbidden);
    }
    Ok(class)
}

impl ClassPage {
    fn errors_for(&self, lesson: &LessonId) -> bool {
        self.lesson_errors == Some(*lesson)
    }
}

struct Retry {
    graduates: String,
    graduated_on: String,
    names: String,
    errors: Vec<String>,
    lesson_errors: Option<LessonId>,
}

async fn class_page(ctx: &StaffPage, class: DareClass, retry: Option<Retry>) -> Result<Response, AppError> {
    let user = &ctx.user;
    let tz = ctx.zone.clone();
    let dept = &ctx.department;
    let today = ctx.today().to_string();
    let retry = retry.unwrap_or(Retry {
        graduates: class.graduates.unwrap_or(class.students).to_string(),
        graduated_on: today.clone(),
        names: String::new(),
        errors: Vec::new(),
        lesson_errors: None,
    });
    let status = if retry.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ClassPage {
        layout: super::layout(dept.as_ref(), "/staff/dare", user),
        coordinator: coordinator(user),
        class: view(class, &tz),
        today,
        graduates: retry.graduates,
        graduated_on: retry.graduated_on,
        names: retry.names,
        errors: retry.errors,
        lesson_errors: retry.lesson_errors,
    };
    Ok((status, render(&page)?).into_response())
}

fn retry(errors: Vec<String>) -> Retry {
    Retry {
        graduates: String::new(),
        graduated_on: String::new(),
        names: String::new(),
        errors,
        lesson_errors: None,
    }
}

/// `GET /staff/dare/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<DareClassId>,
) -> Result<Response, AppError> {
    let class = class_for(&state, &ctx, id).await?;
    class_page(&ctx, class, None).await
}

/// `POST /staff/dare/{id}/lessons/{lesson}`: taught (with how many were there),
/// cancelled, or planned at a new time.
pub async fn lesson(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id((id, lesson)): Id<(DareClassId, LessonId)>,
    Form(form): Form<LessonForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = class_for(&state, &ctx, id).await?;
    let Some(current) = class.lessons.iter().find(|x| x.id == lesson) else {
        return Err(AppError::NotFound("lesson"));
    };
    let tz = ctx.zone.clone();
    let now = Timestamp::now();
    let lesson_id = current.id;
    let change = match form.check(class.students, current.starts_at, current.ends_at, now, &tz) {
        Ok(c) => c,
        Err(errors) => {
            let mut r = retry(errors);
            r.lesson_errors = Some(lesson_id);
            return class_page(&ctx, class, Some(r)).await;
        }
    };
    let who = actor(user);
    let links = &state.links;
    match crate::service::dare::change_lesson(&state.store, links, (user.id, &who), class.id, lesson_id, &change, now)
        .await
    {
        Ok(()) => Ok(see_other(&format!("/staff/dare/{}#lesson-{lesson_id}", class.id))),
        Err(e) => {
            let mut r = retry(form_problems(e)?);
            r.lesson_errors = Some(lesson_id);
            class_page(&ctx, class, Some(r)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GraduationForm {
    graduates: String,
    graduated_on: String,
}

/// `POST /staff/dare/{id}/graduation`.
pub async fn graduate(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<DareClassId>,
    Form(form): Form<GraduationForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = class_for(&state, &ctx, id).await?;
    let who = actor(user);
    match crate::service::dare::graduate(
        &state.store,
        &state.links,
        (user.id, &who),
        class.id,
        &form.graduates,
        &form.graduated_on,
        Timestamp::now(),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/staff/dare/{}", class.id))),
        Err(e) => {
            let r = Retry {
                graduates: form.graduates,
                graduated_on: form.graduated_on,
                ..retry(form_problems(e)?)
            };
            class_page(&ctx, class, Some(r)).await
        }
    }
}

/// `POST /staff/dare/{id}/cancel`: coordinators only.
pub async fn cancel(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<DareClassId>,
    Form(form): Form<crate::web::extract::ConfirmForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let class = class_for(&state, &ctx, id).await?;
    if !form.confirmed() {
        // Only the button inside the "Cancel this class…" disclosure confirms.
        return Ok(see_other(&format!("/staff/dare/{}#cancel", class.id)));
    }
    let who = actor(user);
    match crate::service::dare::cancel(&state.store, &state.links, (user.id, &who), class.id, Timestamp::now()).await {
        Ok(()) => Ok(see_other(&format!("/staff/dare/{}", class.id))),
        Err(e) => class_page(&ctx, class, Some(retry(form_problems(e)?))).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NamesForm {
    names: String,
}

/// `POST /staff/dare/{id}/certificates`: one page per name typed, as a PDF download.
/// The names go into the PDF and nowhere else; only how many is counted.
pub async fn certificates(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(id): Id<DareClassId>,
    Form(form): Form<NamesForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = class_for(&state, &ctx, id).await?;
    let (Some(graduates), Some(day)) = (class.graduates, class.graduated_on) else {
        return class_page(
            &ctx,
            class,
            Some(retry(vec![
                "Certificates are printed once the class has graduated.".into(),
            ])),
        )
        .await;
    };
    let names = match dare::certificate_names(&form.names, graduates) {
        Ok(n) => n,
        Err(errors) => {
            let r = Retry {
                names: form.names,
                ..retry(errors)
            };
            return class_page(&ctx, class, Some(r)).await;
        }
    };
    let who = actor(user);
    let printed = u32::try_from(names.len()).unwrap_or(u32::MAX);
    match crate::service::dare::count_certificates(&state.store, (user.id, &who), class.id, printed, Timestamp::now())
        .await
    {
        Ok(()) => {}
        Err(Error::Store(e)) => return Err(e.into()),
        Err(_) => return Err(AppError::NotFound("DARE class")),
    }
    let (dept, _) = (ctx.department_name(), ctx.zone.clone());
    let classroom = format!(
        "{}, {}, {}",
        class.teacher,
        dare::grade_label(class.grade),
        class.school
    );
    let completed_on = day.strftime("%B %-d, %Y").to_string();
    let pages: Vec<crate::documents::certificate::Certificate> = names
        .into_iter()
        .map(|full_name| crate::documents::certificate::Certificate {
            department: dept.clone(),
            full_name,
            program: "DARE program".into(),
            class: classroom.clone(),
            completed_on: completed_on.clone(),
            signer: format!("{}, DARE instructor", class.instructor_with_rank()),
            verification: None,
        })
        .collect();
    let filename = format!("dare-certificates-{}.pdf", class.id);
    let title = format!("DARE certificates: {classroom}");
    super::export::pdf_response(&filename, move || {
        crate::documents::certificate::render_all(&pages, &title)
    })
    .await
}
