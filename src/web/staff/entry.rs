//! Applications staff take by phone or at the counter: the same form and rules as
//! online, marked as staff-entered, and allowed to use the seats held back for them.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::auth::tokens;
use crate::domain::access::{Permission, allows};
use crate::domain::{ClassId, RuleFailure};
use crate::service::Error;
use crate::service::registrar::{ALREADY_APPLIED, KEY_REUSED, Request};
use crate::store::applications::Channel;
use crate::store::staff::StaffUser;
use crate::web::AppState;
use crate::web::api::registrations::fingerprint;
use crate::web::error::AppError;
use crate::web::extract::{Form, Id};
use crate::web::layout::{Layout, render};
use crate::web::public::apply::{ApplyForm, FormState};
use crate::web::staff::StaffPage;

#[derive(Template)]
#[template(path = "staff/entry.html")]
struct EntryPage {
    layout: Layout,
    class_id: ClassId,
    class_name: String,
    form: FormState,
    form_action: String,
    waiver_required: bool,
}

async fn page(
    state: &AppState,
    ctx: &StaffPage,
    class_id: ClassId,
    form: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    let class = state.store.class(class_id).await?.ok_or(AppError::NotFound("class"))?;
    let program = state
        .store
        .published_program(&class.program_slug)
        .await?
        .ok_or(AppError::NotFound("class"))?;
    let dept = &ctx.department;
    let page = EntryPage {
        layout: super::layout(dept.as_ref(), "/staff", user),
        class_id,
        class_name: format!("{}: {}", class.program_name, class.name),
        form,
        form_action: format!("/staff/classes/{class_id}/applications"),
        waiver_required: program.eligibility.waiver,
    };
    Ok((status, render(&page)?).into_response())
}

fn may_enter(user: &StaffUser) -> Result<(), AppError> {
    if allows(user.role, Permission::RunClasses) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// `GET /staff/classes/{id}/applications/new`.
pub async fn new(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    may_enter(user)?;
    page(&state, &ctx, class_id, FormState::fresh(), StatusCode::OK).await
}

/// `POST /staff/classes/{id}/applications`.
pub async fn create(
    State(state): State<AppState>,
    ctx: StaffPage,
    Id(class_id): Id<ClassId>,
    Form(form): Form<ApplyForm>,
) -> Result<Response, AppError> {
    let user = &ctx.user;
    may_enter(user)?;
    let input = form.to_input();
    let applicant = match input.validate(jiff::Zoned::now().date()) {
        Ok(a) => a,
        Err(errors) => {
            let f = FormState {
                values: form,
                errors,
                problem: None,
                questions: Vec::new(),
            };
            return page(&state, &ctx, class_id, f, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let token = form.form_token.trim();
    let request = Request {
        class_id,
        fingerprint: fingerprint(class_id, &input),
        answers: Vec::new(),
        applicant,
        channel: Channel::Staff,
        idempotency_key: (!token.is_empty() && token.len() <= 100).then(|| format!("staff:{token}")),
    };
    let refused = |problem: String, errors: Vec<RuleFailure>| {
        let mut values = form.clone();
        values.form_token = tokens::generate();
        FormState {
            values,
            errors,
            problem: Some(problem),
            questions: Vec::new(),
        }
    };
    let outcome = state.registrar.register(request).await;
    let f = match outcome {
        Ok(receipt) => {
            tracing::info!(staff = %user.id, application = %receipt.id, "application entered by staff");
            let to = format!("/staff/classes/{class_id}?done=entered");
            return Ok(crate::web::see_other(&to));
        }
        Err(Error::NotFound(_)) => return Err(AppError::NotFound("class")),
        Err(Error::Invalid { kind: KEY_REUSED, .. }) => refused(
            "This form was already sent; check the details and send it again.".into(),
            Vec::new(),
        ),
        Err(Error::Invalid { failures, .. }) => {
            refused("The applicant does not meet every rule; see below.".into(), failures)
        }
        Err(Error::Conflict {
            kind: ALREADY_APPLIED, ..
        }) => refused("This person has already applied to this class.".into(), Vec::new()),
        Err(Error::Conflict { why, .. }) => refused(why, Vec::new()),
        Err(Error::Unavailable | Error::Store(_)) => return Err(AppError::Unavailable),
    };
    page(&state, &ctx, class_id, f, StatusCode::UNPROCESSABLE_ENTITY).await
}
