//! Creating and editing programs: name, summary, the page residents read (Markdown,
//! sanitized), who may join, and how seats are given (first come or lottery).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;

use super::classes::actor;
use crate::domain::access::Permission;
use crate::domain::program::ProgramDetails;
use crate::domain::{Affiliation, Eligibility, ProgramKind};
use crate::store::seed::NewProgram;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Form;
use crate::web::layout::{Layout, render};
use crate::web::staff::StaffPage;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ProgramForm {
    slug: String,
    kind: String,
    name: String,
    summary: String,
    what_to_bring: String,
    body: String,
    min_age: String,
    max_age: String,
    resides: String,
    works: String,
    studies: String,
    member: String,
    grades: String,
    counselor_nomination: String,
    guardian_consent: String,
    background_check: String,
    waiver: String,
    staff_review: String,
    lottery: String,
    position: String,
    legacy_classes: String,
    legacy_graduates: String,
}

#[derive(Template)]
#[template(path = "staff/program_edit.html")]
struct ProgramPage {
    layout: Layout,
    /// `None` for a new program.
    editing: Option<String>,
    form: ProgramForm,
    kinds: &'static [ProgramKind],
    /// `(field, label, checked)`.
    ties: Vec<(&'static str, &'static str, bool)>,
    /// `(field, label, checked)`.
    rules: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<String>,
}

fn yes(on: bool) -> String {
    if on { "yes".into() } else { String::new() }
}

impl ProgramForm {
    fn ties(&self) -> [(&'static str, Affiliation, bool); 4] {
        [
            ("resides", Affiliation::Resides, !self.resides.is_empty()),
            ("works", Affiliation::Works, !self.works.is_empty()),
            ("studies", Affiliation::Studies, !self.studies.is_empty()),
            ("member", Affiliation::Member, !self.member.is_empty()),
        ]
    }

    fn rules(&self) -> Vec<(&'static str, &'static str, bool)> {
        vec![
            (
                "waiver",
                "Applicants accept the liability waiver",
                !self.waiver.is_empty(),
            ),
            (
                "background_check",
                "Applicants go through a background check",
                !self.background_check.is_empty(),
            ),
            (
                "staff_review",
                "Staff review every application",
                !self.staff_review.is_empty(),
            ),
            (
                "counselor_nomination",
                "A school counselor nominates students",
                !self.counselor_nomination.is_empty(),
            ),
            (
                "guardian_consent",
                "A guardian consents for applicants under 18",
                !self.guardian_consent.is_empty(),
            ),
            (
                "lottery",
                "Seats are drawn by lottery when registration closes",
                !self.lottery.is_empty(),
            ),
        ]
    }

    /// Reads the form; number problems are listed with the details' own checks.
    fn read(&self) -> (ProgramDetails, Option<ProgramKind>, [i64; 3], Vec<String>) {
        let mut errors = Vec::new();
        let mut age = |raw: &str, what: &str| -> Option<u8> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            raw.parse()
                .map_err(|_| errors.push(format!("{what} must be a whole number.")))
                .ok()
        };
        let min_age = age(&self.min_age, "The youngest age");
        let max_age = age(&self.max_age, "The oldest age");
        let grades: Vec<u8> = self
            .grades
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|g| !g.is_empty())
            .filter_map(|g| {
                g.parse()
                    .map_err(|_| errors.push(format!("{g:?} is not a grade.")))
                    .ok()
            })
            .collect();
        let mut number = |raw: &str, what: &str| -> i64 {
            match raw.trim() {
                "" => 0,
                raw => match raw.parse::<i64>() {
                    Ok(n) if n >= 0 => n,
                    _ => {
                        errors.push(format!("{what} must be a whole number of 0 or more."));
                        0
                    }
                },
            }
        };
        let numbers = [
            number(&self.position, "The list position"),
            number(&self.legacy_classes, "Earlier classes"),
            number(&self.legacy_graduates, "Earlier graduates"),
        ];
        let kind = ProgramKind::parse(&self.kind);
        if kind.is_none() {
            errors.push("Choose what kind of program this is.".into());
        }
        let details = ProgramDetails {
            slug: self.slug.trim().to_string(),
            name: self.name.trim().to_string(),
            summary: self.summary.trim().to_string(),
            what_to_bring: self.what_to_bring.trim().to_string(),
            body_markdown: self.body.clone(),
            eligibility: Eligibility {
                min_age,
                max_age,
                affiliations: self.ties().into_iter().filter(|t| t.2).map(|t| t.1).collect(),
                grades,
                counselor_nomination: !self.counselor_nomination.is_empty(),
                guardian_consent_for_minors: !self.guardian_consent.is_empty(),
                background_check: !self.background_check.is_empty(),
                waiver: !self.waiver.is_empty(),
                staff_review: !self.staff_review.is_empty(),
            },
        };
        (details, kind, numbers, errors)
    }
}

async fn render_page(
    ctx: &StaffPage,
    editing: Option<String>,
    form: ProgramForm,
    errors: Vec<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let dept = &ctx.department;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ProgramPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        editing,
        ties: form.ties().iter().map(|(n, a, on)| (*n, a.label(), *on)).collect(),
        rules: form.rules(),
        form,
        kinds: ProgramKind::ALL,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /staff/programs/new`.
pub async fn new(State(_state): State<AppState>, ctx: StaffPage) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let form = ProgramForm {
        kind: ProgramKind::CitizenAcademy.code().into(),
        waiver: "yes".into(),
        ..Default::default()
    };
    render_page(&ctx, None, form, Vec::new()).await
}

/// `GET /staff/programs/{slug}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    let p = state
        .store
        .published_program(&slug)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let (body, position) = state.store.program_source(p.id).await?.unwrap_or_default();
    let e = &p.eligibility;
    let has = |a: Affiliation| yes(e.affiliations.contains(&a));
    let form = ProgramForm {
        slug: p.slug.clone(),
        kind: p.kind.code().into(),
        name: p.name.clone(),
        summary: p.summary.clone(),
        what_to_bring: p.what_to_bring.clone(),
        body,
        min_age: e.min_age.map(|a| a.to_string()).unwrap_or_default(),
        max_age: e.max_age.map(|a| a.to_string()).unwrap_or_default(),
        resides: has(Affiliation::Resides),
        works: has(Affiliation::Works),
        studies: has(Affiliation::Studies),
        member: has(Affiliation::Member),
        grades: e.grades.iter().map(u8::to_string).collect::<Vec<_>>().join(", "),
        counselor_nomination: yes(e.counselor_nomination),
        guardian_consent: yes(e.guardian_consent_for_minors),
        background_check: yes(e.background_check),
        waiver: yes(e.waiver),
        staff_review: yes(e.staff_review),
        lottery: yes(p.lottery),
        position: position.to_string(),
        legacy_classes: p.legacy_classes.to_string(),
        legacy_graduates: p.legacy_graduates.to_string(),
    };
    render_page(&ctx, Some(p.slug), form, Vec::new()).await
}

/// `POST /staff/programs/new` and `POST /staff/programs/{slug}/edit`.
async fn save(
    state: AppState,
    ctx: StaffPage,
    editing: Option<String>,
    form: ProgramForm,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let existing = match &editing {
        Some(slug) => Some(
            state
                .store
                .published_program(slug)
                .await?
                .ok_or(AppError::NotFound("program"))?,
        ),
        None => None,
    };
    let mut form = form;
    if let Some(p) = &existing {
        // The web address stays: links to the program must keep working.
        form.slug = p.slug.clone();
    }
    let (details, kind, [position, legacy_classes, legacy_graduates], mut errors) = form.read();
    if let Err(more) = details.validate() {
        errors.extend(more);
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return render_page(&ctx, editing, form, errors).await;
    };
    let program = NewProgram {
        slug: &details.slug,
        kind,
        name: &details.name,
        summary: &details.summary,
        what_to_bring: &details.what_to_bring,
        body_markdown: &details.body_markdown,
        body_html: crate::domain::markdown::to_safe_html(&details.body_markdown),
        eligibility: &details.eligibility,
        lottery: !form.lottery.is_empty(),
        position,
        legacy_classes,
        legacy_graduates,
    };
    match crate::service::programs::save(
        &state.store,
        &actor(user),
        existing.as_ref(),
        &program,
        Timestamp::now(),
    )
    .await
    {
        Ok(()) => {}
        Err(crate::service::Error::Invalid { failures, .. }) => {
            return render_page(&ctx, editing, form, crate::service::messages(&failures)).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(crate::web::see_other(&format!("/programs/{}", details.slug)))
}

/// `POST /staff/programs/new`.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffPage,
    Form(form): Form<ProgramForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    save(state, ctx, None, form).await
}

/// `POST /staff/programs/{slug}/edit`.
pub async fn update(
    State(state): State<AppState>,
    ctx: StaffPage,
    Path(slug): Path<String>,
    Form(form): Form<ProgramForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    super::require(user, Permission::RunClasses)?;
    save(state, ctx, Some(slug), form).await
}
