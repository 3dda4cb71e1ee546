//! The application form on the class page: submit, re-show with errors beside the
//! fields (keeping what was typed), or show the receipt.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::tokens;
use crate::domain::questions::{self, Given, Question, QuestionKind};
use crate::domain::{
    Affiliation, ApplicationInput, ApplicationStatus, ClassId, QuestionId, RuleFailure,
    application::{AffiliationInput, EmergencyContactInput},
};
use crate::service::Error;
use crate::service::registrar::{self, ALREADY_APPLIED, KEY_REUSED};
use crate::store::applications::Channel;
use crate::web::AppState;
use crate::web::api::registrations::fingerprint_with;
use crate::web::error::AppError;
use crate::web::extract::Id;
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
    /// The birth date as three boxes (the USWDS "memorable date"); `date_of_birth` is the
    /// single field older clients post.
    pub dob_month: String,
    pub dob_day: String,
    pub dob_year: String,
    pub city: String,
    pub affiliation: String,
    pub organization: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub waiver_accepted: Option<String>,
    pub form_token: String,
    /// Typed answers to the program's questions by question id, to show them again.
    #[serde(skip)]
    pub answers: BTreeMap<String, String>,
}

impl ApplyForm {
    /// The form as the rules' input.
    pub fn to_input(&self) -> ApplicationInput {
        ApplicationInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            date_of_birth: self.birth_date(),
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
            answers: BTreeMap::new(),
        }
    }

    /// The birth date as `YYYY-MM-DD` from the three boxes (zero-padded, so "4" is April),
    /// or the single field when the boxes are empty. Whatever was typed goes to the rules,
    /// which say what is wrong with it.
    pub fn birth_date(&self) -> String {
        let (m, d, y) = (self.dob_month.trim(), self.dob_day.trim(), self.dob_year.trim());
        if m.is_empty() && d.is_empty() && y.is_empty() {
            return self.date_of_birth.clone();
        }
        format!("{y:0>4}-{m:0>2}-{d:0>2}")
    }

    /// Month, day and year to show in the boxes again.
    pub fn birth_parts(&self) -> (String, String, String) {
        if !(self.dob_month.is_empty() && self.dob_day.is_empty() && self.dob_year.is_empty()) {
            return (self.dob_month.clone(), self.dob_day.clone(), self.dob_year.clone());
        }
        let mut parts = self.date_of_birth.splitn(3, '-');
        let (y, m, d) = (parts.next(), parts.next(), parts.next());
        match (y, m, d) {
            (Some(y), Some(m), Some(d)) => (m.to_string(), d.to_string(), y.to_string()),
            _ => Default::default(),
        }
    }

    /// Takes one posted field; `false` when the name is not one of the form's own.
    fn set(&mut self, name: &str, value: String) -> bool {
        let slot = match name {
            "first_name" => &mut self.first_name,
            "last_name" => &mut self.last_name,
            "email" => &mut self.email,
            "phone" => &mut self.phone,
            "date_of_birth" => &mut self.date_of_birth,
            "dob_month" => &mut self.dob_month,
            "dob_day" => &mut self.dob_day,
            "dob_year" => &mut self.dob_year,
            "city" => &mut self.city,
            "affiliation" => &mut self.affiliation,
            "organization" => &mut self.organization,
            "emergency_name" => &mut self.emergency_name,
            "emergency_phone" => &mut self.emergency_phone,
            "form_token" => &mut self.form_token,
            "waiver_accepted" => {
                self.waiver_accepted = Some(value);
                return true;
            }
            _ => match name.strip_prefix(ANSWER_PREFIX) {
                Some(id) => {
                    self.answers.insert(id.to_string(), value);
                    return true;
                }
                None => return false,
            },
        };
        *slot = value;
        true
    }
}

/// Form fields of the program's questions are named `answer-{id}`.
const ANSWER_PREFIX: &str = "answer-";

/// One of the program's questions as the form shows it.
pub struct QuestionView {
    pub id: QuestionId,
    /// The input's name and id: `answer-{id}`.
    pub name: String,
    /// Where its failures are reported: `answers.{id}`.
    pub key: String,
    pub kind: QuestionKind,
    pub label: String,
    pub help: String,
    /// `(value, label)` of each radio button of a choice or yes/no question.
    pub options: Vec<(String, String)>,
    pub required: bool,
}

impl QuestionView {
    /// The form's view of a stored question.
    pub fn new(q: &Question) -> QuestionView {
        let options = match q.spec.kind {
            QuestionKind::YesNo => vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
            _ => q.spec.options.iter().map(|o| (o.clone(), o.clone())).collect(),
        };
        QuestionView {
            id: q.id,
            name: format!("{ANSWER_PREFIX}{}", q.id),
            key: questions::field(q.id),
            kind: q.spec.kind,
            label: q.spec.label.clone(),
            help: q.spec.help.clone(),
            options,
            required: q.spec.required,
        }
    }

    /// The kind's code, for the template.
    pub fn kind_code(&self) -> &'static str {
        self.kind.code()
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
    /// The program's own questions, after the standard fields (none on staff entry).
    pub questions: Vec<QuestionView>,
}

impl FormState {
    /// An empty form without a token, the same for every reader (the public class page).
    pub fn blank() -> FormState {
        FormState {
            values: ApplyForm::default(),
            errors: Vec::new(),
            problem: None,
            questions: Vec::new(),
        }
    }

    /// An empty form with a new one-time token.
    pub fn fresh() -> FormState {
        FormState {
            values: ApplyForm {
                form_token: tokens::generate(),
                ..Default::default()
            },
            errors: Vec::new(),
            problem: None,
            questions: Vec::new(),
        }
    }

    /// Whether the form must be sent as `multipart/form-data` (it takes a file).
    pub fn has_uploads(&self) -> bool {
        self.questions.iter().any(|q| q.kind == QuestionKind::Document)
    }

    /// What was typed for question `id`.
    pub fn answer(&self, id: &QuestionId) -> &str {
        self.values.answers.get(&id.to_string()).map_or("", String::as_str)
    }

    /// Whether `value` was the chosen answer to question `id`.
    pub fn answered(&self, id: &QuestionId, value: &str) -> bool {
        self.answer(id) == value
    }

    /// The ids a question's input is described by (its hint and error), or "".
    pub fn described_by(&self, q: &QuestionView) -> String {
        let mut ids = Vec::new();
        if !q.help.is_empty() {
            ids.push(format!("{}-hint", q.name));
        }
        if self.error(&q.key).is_some() {
            ids.push(format!("{}-error", q.name));
        }
        ids.join(" ")
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
    pub fn anchor(&self, field: &str) -> String {
        match field {
            "affiliation" => "affiliation-resides".into(),
            "waiver_accepted" => "waiver_accepted".into(),
            other => match self.questions.iter().find(|q| q.key == other) {
                // A radio group is reached through its first button.
                Some(q) if !q.options.is_empty() => format!("{}-0", q.name),
                Some(q) => q.name.clone(),
                None => other.to_string(),
            },
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

/// A posted form: the standard fields and typed answers, and the files chosen.
struct Posted {
    form: ApplyForm,
    files: BTreeMap<String, Given>,
}

/// Reads the form, sent either way: `multipart/form-data` when the program asks for a
/// document, URL-encoded otherwise. The NUL check the middleware makes on URL-encoded
/// bodies is made here for multipart text fields. `Ok(None)`: the body was too large.
async fn read_form(state: &AppState, req: Request) -> Result<Option<Posted>, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let mut posted = Posted {
        form: ApplyForm::default(),
        files: BTreeMap::new(),
    };
    let unreadable = |e: String| AppError::BadRequest(format!("The form could not be read: {e}"));
    if !multipart {
        let body = match Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(None),
            Err(e) => return Err(unreadable(e.body_text())),
        };
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&body).map_err(|e| unreadable(e.to_string()))?;
        for (name, value) in pairs {
            posted.form.set(&name, value);
        }
        return Ok(Some(posted));
    }
    let mut parts = Multipart::from_request(req, state)
        .await
        .map_err(|e| unreadable(e.body_text()))?;
    loop {
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(None),
            Err(e) => return Err(unreadable(e.body_text())),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(None),
            Err(e) => return Err(unreadable(e.body_text())),
        };
        match (file_name, name.strip_prefix(ANSWER_PREFIX)) {
            (Some(file_name), Some(id)) => {
                // A file input left empty still sends an empty part: not an answer.
                if !bytes.is_empty() || !file_name.is_empty() {
                    let file = Given::File {
                        name: file_name,
                        bytes: bytes.to_vec(),
                    };
                    posted.files.insert(id.to_string(), file);
                }
            }
            (Some(_), None) => {}
            (None, _) => {
                let value = String::from_utf8(bytes.to_vec())
                    .map_err(|_| AppError::BadRequest("The form contains text that is not UTF-8.".into()))?;
                if value.contains('\0') {
                    return Err(AppError::BadRequest(
                        "The form contains a NUL character, which no field may hold.".into(),
                    ));
                }
                posted.form.set(&name, value);
            }
        }
    }
    Ok(Some(posted))
}

/// `POST /classes/{id}/apply`.
pub async fn submit(
    State(state): State<AppState>,
    Id(class_id): Id<ClassId>,
    req: Request,
) -> Result<Response, AppError> {
    let Some(Posted { form, files }) = read_form(&state, req).await? else {
        let f = FormState {
            problem: Some(format!(
                "The files you attached are too large together. Each file may be at most {} MB.",
                questions::MAX_DOCUMENT_BYTES / (1024 * 1024)
            )),
            ..FormState::fresh()
        };
        return super::classes::page(&state, class_id, f, StatusCode::PAYLOAD_TOO_LARGE).await;
    };
    let questions = crate::web::api::registrations::questions_of(&state, class_id).await?;
    // Only the questions the form showed are read: a field of a question removed since
    // the page was loaded is ignored rather than refused.
    let asked = |key: &String| questions.iter().any(|q| q.id.to_string() == *key);
    let mut given: BTreeMap<String, Given> = form
        .answers
        .iter()
        .filter(|(k, _)| asked(k))
        .map(|(k, v)| (k.clone(), Given::Text(v.clone())))
        .collect();
    given.extend(files.into_iter().filter(|(k, _)| asked(k)));
    let input = form.to_input();
    let today = jiff::Zoned::now().date();
    let (applicant, answers) = match (input.validate(today), questions::check_answers(&questions, &given)) {
        (Ok(a), Ok(answers)) => (a, answers),
        (applicant, answers) => {
            let mut errors = applicant.err().unwrap_or_default();
            errors.extend(answers.err().unwrap_or_default());
            let state_form = FormState {
                values: form,
                errors,
                problem: None,
                questions: Vec::new(),
            };
            return super::classes::page(&state, class_id, state_form, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    // The public page carries no token (it is the same for everyone, so it can be kept in
    // memory); the content itself then keys the request, and a double submit is a replay.
    let fingerprint = fingerprint_with(class_id, &input, &answers);
    let token = form.form_token.trim();
    let key = Some(if !token.is_empty() && token.len() <= 100 {
        format!("form:{token}")
    } else {
        format!("form-content:{fingerprint}")
    });
    let email = applicant.email.clone();
    let request = registrar::Request {
        class_id,
        fingerprint,
        applicant,
        channel: Channel::Online,
        idempotency_key: key,
        answers,
    };
    let refused = |problem: String, errors: Vec<RuleFailure>| FormState {
        values: form.clone(),
        errors,
        problem: Some(problem),
        questions: Vec::new(),
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
        Err(Error::NotFound(_)) => Err(AppError::NotFound("class")),
        Err(Error::Invalid {
            kind: crate::service::INVALID,
            failures: errors,
        }) => {
            let f = refused("You do not meet every rule of this program; see below.".into(), errors);
            super::classes::page(&state, class_id, f, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(Error::Conflict {
            kind: ALREADY_APPLIED, ..
        }) => {
            let msg = "You have already applied to this class. Use “Find my application” to see it.".to_string();
            super::classes::page(&state, class_id, refused(msg, Vec::new()), StatusCode::CONFLICT).await
        }
        Err(Error::Conflict { why: msg, .. }) => {
            super::classes::page(&state, class_id, refused(msg, Vec::new()), StatusCode::CONFLICT).await
        }
        Err(Error::Invalid { kind: KEY_REUSED, .. }) => {
            // The same form was sent again with different content: start a fresh form.
            let mut f = refused(
                "This form was already submitted. Check the details and send it again.".into(),
                Vec::new(),
            );
            f.values.form_token = tokens::generate();
            super::classes::page(&state, class_id, f, StatusCode::CONFLICT).await
        }
        Err(_) => Err(AppError::Unavailable),
    }
}

#[cfg(test)]
mod tests {
    use super::ApplyForm;

    #[test]
    fn the_three_birth_date_boxes_make_one_date() {
        let typed = |m: &str, d: &str, y: &str| ApplyForm {
            dob_month: m.into(),
            dob_day: d.into(),
            dob_year: y.into(),
            ..ApplyForm::default()
        };
        assert_eq!(typed("4", "8", "1986").birth_date(), "1986-04-08");
        assert_eq!(typed(" 12", "31 ", "1979").birth_date(), "1979-12-31");
        // Half-filled goes to the rules as typed, which then say what is wrong.
        assert_eq!(typed("4", "", "1986").birth_date(), "1986-04-00");
        let single = ApplyForm {
            date_of_birth: "1990-02-03".into(),
            ..ApplyForm::default()
        };
        assert_eq!(single.birth_date(), "1990-02-03");
        assert_eq!(single.birth_parts(), ("02".into(), "03".into(), "1990".into()));
    }
}
