//! Open311 GeoReport v2 at `/open311/v2`: discovery, the service list and definitions,
//! filing requests (with an app's `api_key`, or anonymously within the department's
//! limit), listing and reading requests, and tokens. Every answer comes as JSON or XML,
//! chosen by the file extension as the specification asks; errors are the specification's
//! list of `{code, description}`.
//!
//! Requests are public through this interface the way the specification intends, so the
//! answers carry the service, status, the department's notes, times and place, never the
//! requester's contact details or their own description.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::domain::RequestId;
use crate::domain::requests::{self, RequestStatus, SERVICES, Service};
use crate::service::Error;
use crate::service::requests::Channel;
use crate::store::requests::{RequestFilter, ServiceRequest};
use crate::web::AppState;

/// Every endpoint. Anonymous filing has its own hourly budget per address (the
/// department's setting); apps with a key are not limited.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(top).post(file_request))
        .route("/open311/v2/services/{file}", get(definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `services.json` -> (`services`, Json).
fn split(file: &str) -> Option<(&str, Format)> {
    if let Some(stem) = file.strip_suffix(".json") {
        Some((stem, Format::Json))
    } else {
        file.strip_suffix(".xml").map(|stem| (stem, Format::Xml))
    }
}

/// An Open311 error list with its HTTP status.
struct Errors {
    status: StatusCode,
    errors: Vec<String>,
    format: Format,
}

fn error(status: StatusCode, format: Format, description: impl Into<String>) -> Errors {
    Errors {
        status,
        errors: vec![description.into()],
        format,
    }
}

impl IntoResponse for Errors {
    fn into_response(self) -> Response {
        let code = self.status.as_u16();
        let list: Vec<Value> = self
            .errors
            .iter()
            .map(|d| json!({ "code": code, "description": d }))
            .collect();
        let mut res = respond(self.format, "errors", &Value::Array(list));
        *res.status_mut() = self.status;
        res
    }
}

/// An unknown path or format: the specification's error shape, in JSON when the
/// extension says nothing usable.
fn not_found(file: &str) -> Errors {
    let format = split(file).map_or(Format::Json, |(_, f)| f);
    error(
        StatusCode::NOT_FOUND,
        format,
        "No such endpoint or format; use .json or .xml.",
    )
}

impl From<crate::store::StoreError> for Errors {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "open311: database error");
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            Format::Json,
            "The service is temporarily unavailable.",
        )
    }
}

fn respond(format: Format, root: &str, value: &Value) -> Response {
    match format {
        Format::Json => ([(CONTENT_TYPE, "application/json; charset=utf-8")], value.to_string()).into_response(),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            xml(&mut out, root, value);
            ([(CONTENT_TYPE, "text/xml; charset=utf-8")], out).into_response()
        }
    }
}

/// The element name of one item of a list element.
fn item_name(list: &str) -> &str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "errors" => "error",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        _ => "item",
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

/// The JSON answer as the specification's XML: objects are elements with a child per
/// field, lists repeat their item element.
fn xml(out: &mut String, name: &str, value: &Value) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => escape(s, out),
        Value::Array(items) => {
            for item in items {
                xml(out, item_name(name), item);
            }
        }
        Value::Object(fields) => {
            for (k, v) in fields {
                xml(out, k, v);
            }
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn service_json(s: &Service) -> Value {
    json!({
        "service_code": s.code,
        "service_name": s.name,
        "description": s.description,
        "metadata": !s.attributes.is_empty(),
        "type": "realtime",
        "keywords": s.keywords,
        "group": s.group,
    })
}

fn request_json(r: &ServiceRequest, department: &str) -> Value {
    let service = requests::service(&r.service_code);
    json!({
        "service_request_id": r.id.to_string(),
        "status": r.status.open311(),
        "status_notes": if r.status_notes.is_empty() { Value::Null } else { Value::String(r.status_notes.clone()) },
        "service_name": service.map_or("Request", |s| s.name),
        "service_code": r.service_code,
        "agency_responsible": department,
        "service_notice": Value::Null,
        "requested_datetime": rfc3339(r.created_at),
        "updated_datetime": rfc3339(r.updated_at),
        "expected_datetime": r.due_on.map(|d| format!("{d}T23:59:59Z")),
        "address": if r.address.is_empty() { Value::Null } else { Value::String(r.address.clone()) },
        "address_id": Value::Null,
        "zipcode": Value::Null,
        "lat": r.lat,
        "long": r.lon,
        "media_url": Value::Null,
    })
}

async fn department(state: &AppState) -> Result<(String, String, String), Errors> {
    let d = state.store.department().await?;
    Ok(d.map_or_else(
        || ("Police Department".to_string(), String::new(), String::new()),
        |d| (d.name, d.email, d.phone),
    ))
}

/// `GET /open311/v2/{discovery,services,requests}.{json,xml}`.
async fn top(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, Errors> {
    let Some((stem, format)) = split(&file) else {
        return Err(not_found(&file));
    };
    match stem {
        "discovery" => {
            let (name, email, phone) = department(&state).await?;
            let base = format!("{}/open311/v2", state.links.base_url);
            let changeset = "2026-11-22T00:00:00Z";
            let body = json!({
                "changeset": changeset,
                "contact": format!("{name}: {email}, {phone}"),
                "key_service": format!("Apps that file many requests ask {email} for an API key."),
                "endpoints": [{
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }],
            });
            Ok(respond(format, "discovery", &body))
        }
        "services" => {
            let list: Vec<Value> = SERVICES.iter().map(service_json).collect();
            Ok(respond(format, "services", &Value::Array(list)))
        }
        "requests" => list_requests(&state, format, &q).await,
        _ => Err(not_found(&file)),
    }
}

/// `GET /open311/v2/services/{code}.{json,xml}`: the questions a service asks.
async fn definition(Path(file): Path<String>) -> Result<Response, Errors> {
    let Some((code, format)) = split(&file) else {
        return Err(not_found(&file));
    };
    let service = requests::service(code).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            format,
            format!("No service has the code {code:?}."),
        )
    })?;
    let attributes: Vec<Value> = service
        .attributes
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "variable": true,
                "code": a.code,
                "datatype": a.datatype.code(),
                "required": a.required,
                "datatype_description": Value::Null,
                "order": i + 1,
                "description": a.description,
                "values": a.values.iter().map(|(k, n)| json!({ "key": k, "name": n })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let body = json!({ "service_code": service.code, "attributes": attributes });
    Ok(respond(format, "service_definition", &body))
}

/// `GET /open311/v2/requests.{json,xml}` with the standard filters: `service_request_id`
/// (comma-separated), `service_code`, `start_date`, `end_date`, `status` (open, closed).
/// Without dates, the last 90 days; at most 1000 requests.
async fn list_requests(state: &AppState, format: Format, q: &[(String, String)]) -> Result<Response, Errors> {
    let get = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let bad = |m: String| error(StatusCode::BAD_REQUEST, format, m);
    let mut filter = RequestFilter {
        limit: 1000,
        ..Default::default()
    };
    if let Some(ids) = get("service_request_id") {
        for id in ids.split(',') {
            filter.ids.push(
                id.trim()
                    .parse()
                    .map_err(|_| bad(format!("service_request_id {id:?} is not a request number.")))?,
            );
        }
    }
    if let Some(code) = get("service_code") {
        if requests::service(code).is_none() {
            return Err(bad(format!("No service has the code {code:?}.")));
        }
        filter.service_code = Some(code.to_string());
    }
    let date = |k: &str| -> Result<Option<Timestamp>, Errors> {
        get(k)
            .map(|v| {
                v.parse::<Timestamp>()
                    .map_err(|_| bad(format!("{k} must be a W3C date and time, like 2026-11-22T09:00:00Z.")))
            })
            .transpose()
    };
    filter.start = date("start_date")?;
    filter.end = date("end_date")?;
    if filter.ids.is_empty() && filter.start.is_none() && filter.end.is_none() {
        filter.start = Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_hours(90 * 24))
            .ok();
    }
    if let (Some(s), Some(e)) = (filter.start, filter.end)
        && e < s
    {
        return Err(bad("end_date comes before start_date.".into()));
    }
    if let Some(status) = get("status") {
        for s in status.split(',') {
            match s.trim() {
                "open" => filter
                    .statuses
                    .extend(RequestStatus::ALL.iter().filter(|x| **x != RequestStatus::Closed)),
                "closed" => filter.statuses.push(RequestStatus::Closed),
                other => return Err(bad(format!("status {other:?} is neither open nor closed."))),
            }
        }
    }
    let (name, _, _) = department(state).await?;
    let list: Vec<Value> = state
        .store
        .requests(&filter)
        .await?
        .iter()
        .map(|r| request_json(r, &name))
        .collect();
    Ok(respond(format, "service_requests", &Value::Array(list)))
}

/// `GET /open311/v2/requests/{id}.{json,xml}`.
async fn one_request(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, Errors> {
    let Some((id, format)) = split(&file) else {
        return Err(not_found(&file));
    };
    let missing = || {
        error(
            StatusCode::NOT_FOUND,
            format,
            format!("No request has the number {id:?}."),
        )
    };
    let id: RequestId = id.parse().map_err(|_| missing())?;
    let request = state.store.request(id).await?.ok_or_else(missing)?;
    let (name, _, _) = department(&state).await?;
    Ok(respond(
        format,
        "service_requests",
        &json!([request_json(&request, &name)]),
    ))
}

/// `GET /open311/v2/tokens/{token}.{json,xml}`.
async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, Errors> {
    let Some((token, format)) = split(&file) else {
        return Err(not_found(&file));
    };
    let id = state
        .store
        .request_id_by_token(token)
        .await?
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format, "No request has this token."))?;
    Ok(respond(
        format,
        "service_requests",
        &json!([{ "service_request_id": id.to_string(), "token": token }]),
    ))
}

/// `POST /open311/v2/requests.{json,xml}`, form-encoded as the specification says.
async fn file_request(
    State(state): State<AppState>,
    client: crate::web::client::ClientAddr,
    Path(file): Path<String>,
    body: String,
) -> Result<Response, Errors> {
    let Some(("requests", format)) = split(&file) else {
        return Err(not_found(&file));
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| error(StatusCode::BAD_REQUEST, format, "The body must be form-encoded."))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let client = match get("api_key") {
        Some(key) => Some(
            state
                .store
                .open311_client(&crate::auth::tokens::hash(key))
                .await?
                .ok_or_else(|| error(StatusCode::FORBIDDEN, format, "The api_key is not valid."))?,
        ),
        None => {
            let Some(budget) = &state.open311_budget else {
                return Err(error(
                    StatusCode::FORBIDDEN,
                    format,
                    "An api_key is required to file requests here.",
                ));
            };
            if !budget.allow(client.0, jiff::Timestamp::now()).await? {
                return Err(error(
                    StatusCode::TOO_MANY_REQUESTS,
                    format,
                    "Too many requests without an api_key from this address; try again later.",
                ));
            }
            None
        }
    };
    let code =
        get("service_code").ok_or_else(|| error(StatusCode::BAD_REQUEST, format, "service_code is required."))?;
    let service = requests::service(code).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            format,
            format!("No service has the code {code:?}."),
        )
    })?;
    let input = crate::web::public::requests::input_from_pairs(&pairs).map_err(|problems| Errors {
        status: StatusCode::BAD_REQUEST,
        errors: problems
            .into_iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect(),
        format,
    })?;
    match crate::service::requests::file(
        &state.store,
        &state.links,
        service,
        &input,
        Channel::Open311 {
            client: client.as_deref(),
        },
        Timestamp::now(),
    )
    .await
    {
        Ok(filed) => {
            let body = json!([{
                "service_request_id": filed.id.to_string(),
                "token": filed.token,
                "service_notice": "We answer every request within two working days. This is not for emergencies: call 911.",
                "account_id": Value::Null,
            }]);
            Ok(respond(format, "service_requests", &body))
        }
        Err(Error::Invalid { failures: problems, .. }) => Err(Errors {
            status: StatusCode::BAD_REQUEST,
            errors: problems
                .into_iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect(),
            format,
        }),
        Err(Error::Store(e)) => Err(e.into()),
        Err(e) => Err(error(StatusCode::BAD_REQUEST, format, e.to_string())),
    }
}
