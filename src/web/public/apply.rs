//! The application form on the class page: submit, re-show with errors beside the
//! fields (keeping what was typed), or show the receipt.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::{
    Affiliation, ApplicationInput, ApplicationStatus, ClassId, RuleFailure,
    application::{AffiliationInput, EmergencyContactInput},
};
use crate::error::AppError;
use crate::registrar::{RegisterError, Request};
use crate::store::applications::Channel;
use crate::tokens;
use crate::web::api::registrations::fingerprint;
use crate::web::layout::{Layout, render};

/// The form's fields as typed. Everything is text so nothing typed is ever lost to a
/// parse error; `domain` checks it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub date_of_birth: String,
    pub city: String,
    pub affiliation: String,
    pub organization: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub waiver_accepted: Option<String>,
    pub form_token: String,
}

impl ApplyForm {
    /// The form as the rules' input.
    pub fn to_input(&self) -> ApplicationInput {
        ApplicationInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            date_of_birth: self.date_of_birth.clone(),
            city: self.city.clone(),
            affiliation: (!self.affiliation.is_empty()).then(|| AffiliationInput {
                kind: self.affiliation.clone(),
                organization: Some(self.organization.clone()),
            }),
            emergency_contact: Some(EmergencyContactInput {
                name: self.emergency_name.clone(),
                phone: self.emergency_phone.clone(),
            }),
            waiver_accepted: self.waiver_accepted.is_some(),
        }
    }
}

/// One choice of the affiliation radio group.
pub struct Choice {
    pub code: &'static str,
    pub label: String,
}

/// The form as shown: values, errors and a fresh one-time token.
pub struct FormState {
    pub values: ApplyForm,
    pub errors: Vec<RuleFailure>,
    /// A refusal that concerns no single field (closed, already applied).
    pub problem: Option<String>,
}

impl FormState {
    /// An empty form with a new one-time token.
    pub fn fresh() -> FormState {
        FormState {
            values: ApplyForm {
                form_token: tokens::generate(),
                ..Default::default()
            },
            errors: Vec::new(),
            problem: None,
        }
    }

    /// The message for `field`, if it failed.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Whether any field failed.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.problem.is_some()
    }

    /// The affiliation choices with their labels.
    pub fn choices(&self) -> Vec<Choice> {
        Affiliation::ALL
            .iter()
            .map(|a| Choice {
                code: a.code(),
                label: match a {
                    Affiliation::Resides => "I live in the city".into(),
                    Affiliation::Works => "I work in the city".into(),
                    Affiliation::Studies => "I attend school in the city".into(),
                    Affiliation::Member => "I belong to a local faith, civic or business organization".into(),
                },
            })
            .collect()
    }

    /// Whether this affiliation was chosen.
    pub fn chosen(&self, code: &str) -> bool {
        self.values.affiliation == code
    }

    /// Where to jump from the error summary for a failure.
    pub fn anchor(field: &str) -> String {
        match field {
            "affiliation" => "affiliation-resides".into(),
            "waiver_accepted" => "waiver_accepted".into(),
            other => other.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "public/application_received.html")]
struct ReceivedPage {
    layout: Layout,
    class_id: ClassId,
    class_name: String,
    program_name: String,
    status: ApplicationStatus,
    waitlist_position: Option<i64>,
    email: String,
    application_id: i64,
}

/// `POST /classes/{id}/apply`.
pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Result<Form<ApplyForm>, FormRejection>,
) -> Result<Response, AppError> {
    let class_id: ClassId = id.parse().map_err(|_| AppError::NotFound("class"))?;
    let Form(form) =
        form.map_err(|e| AppError::BadRequest(format!("The form could not be read: {}", e.body_text())))?;
    let input = form.to_input();
    let today = jiff::Zoned::now().date();
    let applicant = match input.validate(today) {
        Ok(a) => a,
        Err(errors) => {
            let state_form = FormState {
                values: form,
                errors,
                problem: None,
            };
            return super::classes::page(&state, class_id, state_form, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let token = form.form_token.trim();
    let key = (!token.is_empty() && token.len() <= 100).then(|| format!("form:{token}"));
    let email = applicant.email.clone();
    let request = Request {
        class_id,
        fingerprint: fingerprint(class_id, &input),
        applicant,
        channel: Channel::Online,
        idempotency_key: key,
    };
    let refused = |problem: String, errors: Vec<RuleFailure>| FormState {
        values: form.clone(),
        errors,
        problem: Some(problem),
    };
    match state.registrar.register(request).await {
        Ok(receipt) => {
            let class = state
                .store
                .public_class(class_id)
                .await?
                .ok_or(AppError::NotFound("class"))?;
            let dept = state.store.department().await?;
            let page = ReceivedPage {
                layout: Layout::new(dept.as_ref(), "/programs"),
                class_id,
                class_name: class.name,
                program_name: class.program_name,
                status: receipt.status,
                waitlist_position: receipt.waitlist_position,
                email,
                application_id: receipt.id.get(),
            };
            Ok(render(&page)?.into_response())
        }
        Err(RegisterError::ClassNotFound) => Err(AppError::NotFound("class")),
        Err(RegisterError::Ineligible(errors)) => {
            let f = refused("You do not meet every rule of this program; see below.".into(), errors);
            super::classes::page(&state, class_id, f, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(RegisterError::NotOpen(msg)) => {
            super::classes::page(&state, class_id, refused(msg, Vec::new()), StatusCode::CONFLICT).await
        }
        Err(RegisterError::AlreadyApplied) => {
            let msg = "You have already applied to this class. Use “Find my application” to see it.".to_string();
            super::classes::page(&state, class_id, refused(msg, Vec::new()), StatusCode::CONFLICT).await
        }
        Err(RegisterError::KeyReused) => {
            // The same form was sent again with different content: start a fresh form.
            let mut f = refused(
                "This form was already submitted. Check the details and send it again.".into(),
                Vec::new(),
            );
            f.values.form_token = tokens::generate();
            super::classes::page(&state, class_id, f, StatusCode::CONFLICT).await
        }
        Err(RegisterError::Unavailable | RegisterError::Store(_)) => Err(AppError::Unavailable),
    }
}
