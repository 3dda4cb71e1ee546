//! Staff endpoints of the JSON API, authenticated with `Authorization: Bearer <token>`
//! (tokens from `precinct token create`, stored hashed, scoped to a role).

use axum::Json;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::web::AppState;
use std::collections::{BTreeMap, HashMap};

use crate::auth::tokens;
use crate::domain::access::{Permission, allows};
use crate::domain::{ApplicationId, ClassId, Role};
use crate::domain::{questions, roster, screening};
use crate::web::error::{ApiError, AppError, problem_response};
use crate::web::extract::ApiId;

/// The caller of a staff endpoint.
pub struct ApiClient {
    pub name: String,
    pub role: Role,
}

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let unauthorized = || {
            let mut res = problem_response(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Send a valid staff API token as `Authorization: Bearer <token>`.",
            );
            res.headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            res
        };
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(unauthorized)?;
        let hash = tokens::hash(token);
        match state.store.api_token(&hash).await {
            Ok(Some((name, role))) => {
                // Last use is shown to administrators; failing to note it must not fail the call.
                if let Err(e) = state.store.touch_api_token(&hash, jiff::Timestamp::now()).await {
                    tracing::warn!(error = %e, "could not note an API token's last use");
                }
                Ok(ApiClient { name, role })
            }
            Ok(None) => Err(unauthorized()),
            Err(e) => Err(ApiError(AppError::from(e)).into_response()),
        }
    }
}

/// One application on a roster.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RosterEntry {
    pub id: ApplicationId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub status: String,
    /// `online`, or `staff` for phone and walk-in entries.
    pub channel: String,
    /// Place in the class's queue (arrival or lottery order).
    pub queue_rank: i64,
    pub applied_at: String,
    /// Answers to the program's questions by question id (a document by its file name).
    /// Sensitive answers only for the roles the department names for sensitive fields.
    pub answers: BTreeMap<String, String>,
}

/// `GET /classes/{id}/registrations` answer: one page of the roster.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Roster {
    pub registrations: Vec<RosterEntry>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Which page of a roster to read.
#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct RosterPage {
    /// Rows per page, 1 to 500 (500 when not given).
    limit: Option<String>,
    /// The `next` value of the previous page.
    after: Option<String>,
}

/// A class's roster, in queue order, a page at a time (`limit`, and `after` from the
/// previous page's `next`; a `Link: rel="next"` header says the same). Admin and
/// coordinator tokens only.
#[utoipa::path(get, path = "/api/v1/classes/{id}/registrations", tag = "staff",
    params(("id" = i64, Path, description = "The class id"), RosterPage),
    security(("bearer" = [])),
    responses((status = 200, body = Roster), (status = 400, body = crate::web::error::Problem),
              (status = 401, body = crate::web::error::Problem),
              (status = 403, body = crate::web::error::Problem), (status = 404, body = crate::web::error::Problem)))]
pub async fn roster(
    State(state): State<AppState>,
    client: ApiClient,
    ApiId(id): ApiId<ClassId>,
    Query(page): Query<RosterPage>,
) -> Result<Response, ApiError> {
    if !allows(client.role, Permission::SeeAllClasses) {
        return Ok(problem_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This token's role may not read rosters.",
        ));
    }
    let Some(limit) = roster::page_size(page.limit.as_deref()) else {
        let why = format!("limit must be a whole number from 1 to {}.", roster::MAX_PAGE);
        return Err(AppError::BadRequest(why).into());
    };
    let after = match page.after.as_deref().map(str::trim) {
        None | Some("") => roster::Cursor::START,
        Some(token) => roster::Cursor::parse(token)
            .ok_or_else(|| AppError::BadRequest("after must be the next value of a previous page.".into()))?,
    };
    state.store.class(id).await?.ok_or(AppError::NotFound("class"))?;
    let rows = state.store.roster_page(id, None, after, limit).await?;
    let named = screening::parse_roles(&state.store.sensitive_roles().await?);
    let sees = screening::may_see_sensitive(client.role, &named);
    let mut answers: HashMap<ApplicationId, BTreeMap<String, String>> = HashMap::new();
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        for a in state
            .store
            .answers_in_ranks(id, first.queue_rank..=last.queue_rank)
            .await?
        {
            if questions::shown(a.sensitive, sees) {
                let text = crate::web::staff::answer_text(&a);
                answers
                    .entry(a.application_id)
                    .or_default()
                    .insert(a.question_id.to_string(), text);
            }
        }
    }
    // A full page may have more after it; a short one is the last.
    let next = (rows.len() as i64 == limit).then(|| rows.last()).flatten().map(|r| {
        roster::Cursor {
            queue_rank: r.queue_rank,
            id: r.id,
        }
        .token()
    });
    let registrations = rows
        .into_iter()
        .map(|r| RosterEntry {
            answers: answers.remove(&r.id).unwrap_or_default(),
            applied_at: jiff::Timestamp::from_second(r.created_at)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            id: r.id,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            phone: r.phone,
            status: r.status,
            channel: r.channel,
            queue_rank: r.queue_rank,
        })
        .collect();
    tracing::info!(token = %client.name, class = %id, "roster read through the API");
    let mut res = Json(Roster {
        registrations,
        next: next.clone(),
    })
    .into_response();
    if let Some(next) = next
        && let Ok(link) = axum::http::HeaderValue::from_str(&format!(
            "</api/v1/classes/{id}/registrations?limit={limit}&after={next}>; rel=\"next\""
        ))
    {
        res.headers_mut().insert(axum::http::header::LINK, link);
    }
    Ok(res)
}
