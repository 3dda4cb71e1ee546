//! Asking the department for help: choose a service, fill in its questions (works
//! without JavaScript; an address is enough, a map position is optional), then follow the
//! request through the private link emailed to the requester and add comments.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use crate::domain::requests::{self, Datatype, RequestInput, SERVICES, Service};
use crate::domain::{RequestId, RuleFailure};
use crate::service::Error;
use crate::service::requests::Channel;
use crate::store::requests::ServiceRequest;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::extract::Id;
use crate::web::layout::{Layout, render};

#[derive(Template)]
#[template(path = "public/requests_index.html")]
struct IndexPage {
    layout: Layout,
    services: &'static [Service],
}

/// One question of the form, with what was entered.
struct Question {
    code: &'static str,
    label: &'static str,
    required: bool,
    kind: &'static str,
    /// `(key, name, chosen)`.
    choices: Vec<(&'static str, &'static str, bool)>,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "public/request_form.html")]
struct FormPage {
    layout: Layout,
    service: &'static Service,
    questions: Vec<Question>,
    fields: BTreeMap<&'static str, String>,
    field_errors: BTreeMap<String, String>,
    errors: Vec<String>,
}

struct HistoryRow {
    when: String,
    who: String,
    status: Option<&'static str>,
    body: String,
}

#[derive(Template)]
#[template(path = "public/request_status.html")]
struct StatusPage {
    layout: Layout,
    request: ServiceRequest,
    service_name: &'static str,
    answers: Vec<(String, String)>,
    history: Vec<HistoryRow>,
    /// The private link's token, when the requester opened the page with it.
    follow: Option<String>,
    notice: Option<&'static str>,
    comment_error: Option<String>,
    /// Enforcement operations run for the request, with their results.
    operations: Vec<crate::web::staff::traffic::OperationView>,
    /// DARE classes planned for the request; their lessons only on the private page.
    dare_classes: Vec<crate::web::staff::dare::ClassView>,
}

fn find(code: &str) -> Result<&'static Service, AppError> {
    requests::service(code).ok_or(AppError::NotFound("service"))
}

/// `GET /requests/new`.
pub async fn index(State(state): State<AppState>) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    let page = IndexPage {
        layout: Layout::new(dept.as_ref(), "/requests/new"),
        services: SERVICES,
    };
    Ok(render(&page)?.into_response())
}

fn questions(service: &'static Service, form: &[(String, String)], problems: &[RuleFailure]) -> Vec<Question> {
    service
        .attributes
        .iter()
        .map(|a| {
            let name = format!("attribute[{}]", a.code);
            let given: Vec<&str> = form
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
                .collect();
            Question {
                code: a.code,
                label: a.description,
                required: a.required,
                kind: match a.datatype {
                    Datatype::String => "string",
                    Datatype::Number => "number",
                    Datatype::Text => "text",
                    Datatype::SingleValueList => "single",
                    Datatype::MultiValueList => "multi",
                },
                choices: a.values.iter().map(|(k, n)| (*k, *n, given.contains(k))).collect(),
                value: given.first().map(|s| s.to_string()).unwrap_or_default(),
                error: problems.iter().find(|p| p.field == name).map(|p| p.message.clone()),
            }
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    service: &'static Service,
    form: &[(String, String)],
    problems: Vec<RuleFailure>,
) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    let value = |k: &str| {
        form.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let fields: BTreeMap<&'static str, String> = [
        "description",
        "address_string",
        "lat",
        "long",
        "email",
        "first_name",
        "last_name",
        "phone",
    ]
    .into_iter()
    .map(|k| (k, value(k)))
    .collect();
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        layout: Layout::new(dept.as_ref(), "/requests/new"),
        service,
        questions: questions(service, form, &problems),
        field_errors: problems
            .iter()
            .filter(|p| !p.field.starts_with("attribute["))
            .map(|p| (p.field.to_string(), p.message.clone()))
            .collect(),
        errors: problems.into_iter().map(|p| p.message).collect(),
        fields,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /requests/new/{code}`.
pub async fn form(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, AppError> {
    form_page(&state, find(&code)?, &[], Vec::new()).await
}

/// The form's fields as Open311 names them; repeated `attribute[x]` keys are a list.
pub fn input_from_pairs(pairs: &[(String, String)]) -> Result<RequestInput, Vec<RuleFailure>> {
    let mut input = RequestInput::default();
    let mut problems = Vec::new();
    let number = |field: &str, v: &str, problems: &mut Vec<RuleFailure>| -> Option<f64> {
        if v.trim().is_empty() {
            return None;
        }
        v.trim().parse::<f64>().ok().filter(|f| f.is_finite()).or_else(|| {
            problems.push(RuleFailure::new(
                "request",
                field.to_string(),
                format!("{field} must be a number in decimal degrees."),
            ));
            None
        })
    };
    for (k, v) in pairs {
        match k.as_str() {
            "description" => input.description = v.clone(),
            "address_string" => input.address = v.clone(),
            "email" => input.email = v.clone(),
            "first_name" => input.first_name = v.clone(),
            "last_name" => input.last_name = v.clone(),
            "phone" => input.phone = v.clone(),
            "lat" => input.lat = number("lat", v, &mut problems),
            "long" => input.long = number("long", v, &mut problems),
            key => {
                if let Some(code) = key.strip_prefix("attribute[").and_then(|r| r.strip_suffix(']')) {
                    // `attribute[times][]` is how some clients send lists.
                    let code = code.trim_end_matches("][");
                    input.attributes.entry(code.to_string()).or_default().push(v.clone());
                }
            }
        }
    }
    if problems.is_empty() { Ok(input) } else { Err(problems) }
}

/// `POST /requests/new/{code}` (rate limited with the other public forms).
pub async fn submit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let service = find(&code)?;
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&body).map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
    let input = match input_from_pairs(&pairs) {
        Ok(i) => i,
        Err(problems) => return form_page(&state, service, &pairs, problems).await,
    };
    match crate::service::requests::file(
        &state.store,
        &state.links,
        service,
        &input,
        Channel::Web,
        Timestamp::now(),
    )
    .await
    {
        Ok(filed) => {
            let path = filed.follow_link.trim_start_matches(&state.links.base_url);
            Ok(crate::web::see_other(&format!("{path}?done=filed")))
        }
        Err(Error::Invalid { failures, .. }) => form_page(&state, service, &pairs, failures).await,
        Err(Error::Store(e)) => Err(e.into()),
        Err(e) => Err(AppError::BadRequest(e.to_string())),
    }
}

async fn status_page(
    state: &AppState,
    request: ServiceRequest,
    follow: Option<String>,
    notice: Option<&'static str>,
    comment_error: Option<String>,
) -> Result<Response, AppError> {
    let dept = state.store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let service = requests::service(&request.service_code);
    let private = follow.is_some();
    let history = state
        .store
        .request_updates(request.id)
        .await?
        .into_iter()
        // The public page shows the department's notes; comments are the requester's own.
        .filter(|u| private || u.author == "staff")
        .map(|u| HistoryRow {
            when: Timestamp::from_second(u.created_at)
                .map(|t| crate::format::instant(t, &tz))
                .unwrap_or_default(),
            who: if u.author == "requester" {
                "You".into()
            } else {
                "The department".into()
            },
            status: u
                .status
                .as_deref()
                .and_then(requests::RequestStatus::parse)
                .map(|s| s.label()),
            body: u.body,
        })
        .collect();
    let status = if comment_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let operations = state
        .store
        .operations_for_request(request.id)
        .await?
        .into_iter()
        .filter(|o| o.results.is_some())
        .map(|o| crate::web::staff::traffic::view(o, &tz))
        .collect();
    let dare_classes = if private {
        state
            .store
            .dare_classes_for_request(request.id)
            .await?
            .into_iter()
            .map(|c| crate::web::staff::dare::view(c, &tz))
            .collect()
    } else {
        Vec::new()
    };
    let page = StatusPage {
        operations,
        dare_classes,
        layout: Layout::new(dept.as_ref(), ""),
        service_name: service.map_or("Request", |s| s.name),
        answers: match (private, service) {
            (true, Some(s)) => requests::describe_answers(s, &request.attributes),
            _ => Vec::new(),
        },
        request,
        history,
        follow,
        notice,
        comment_error,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /requests/follow/{token}`: the requester's own view, with comments.
pub async fn follow(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let request = state
        .store
        .request_by_follow(&crate::auth::tokens::hash(&token))
        .await?
        .ok_or(AppError::NotFound("request"))?;
    let notice = match q.get("done").map(String::as_str) {
        Some("filed") => {
            Some("Your request is filed. We emailed you this page's address; keep it to follow the request.")
        }
        Some("commented") => Some("Your comment is added."),
        _ => None,
    };
    status_page(&state, request, Some(token), notice, None).await
}

/// `POST /requests/follow/{token}/comment`.
pub async fn comment(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let form: BTreeMap<String, String> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let text = form.get("comment").map(String::as_str).unwrap_or("");
    match crate::service::requests::comment(&state.store, &token, text, Timestamp::now()).await {
        Ok(_) => Ok(crate::web::see_other(&format!(
            "/requests/follow/{token}?done=commented"
        ))),
        Err(Error::Invalid { failures, .. }) => {
            let request = state
                .store
                .request_by_follow(&crate::auth::tokens::hash(&token))
                .await?
                .ok_or(AppError::NotFound("request"))?;
            let message = failures.into_iter().next().map(|p| p.message);
            status_page(&state, request, Some(token), None, message).await
        }
        Err(Error::NotFound(_)) => Err(AppError::NotFound("request")),
        Err(Error::Store(e)) => Err(e.into()),
        Err(e) => Err(AppError::BadRequest(e.to_string())),
    }
}

/// `GET /requests/{id}`: what anyone may see (as in Open311): the service, status and the
/// department's notes, never the requester's details or description.
pub async fn public(State(state): State<AppState>, Id(id): Id<RequestId>) -> Result<Response, AppError> {
    let request = state.store.request(id).await?.ok_or(AppError::NotFound("request"))?;
    status_page(&state, request, None, None, None).await
}
