//! HTTP: one router per audience (`public`, `api`), merged here under the shared
//! middleware stack (request ids, tracing, timeouts, body limits, security headers).

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::web::error::{ApiError, AppError, ErrorPage, problem_response};

pub mod api;
pub mod client;
mod conditional;
pub mod error;
pub mod extract;
pub mod health;
pub mod layout;
pub mod metrics;
pub mod open311;
pub mod origin;
pub mod page_cache;
pub mod public;
pub mod staff;
mod state;

pub use state::{AppState, Shared};

/// The content security policy: only our own scripts, styles, fonts and images; no
/// inline script; the site cannot be framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// Builds the whole application router.
pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    let pages = state.pages.clone();
    let assets = memory_serve::load!().index_file(None).into_router();

    let security = ServiceBuilder::new()
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .layer(header_layer(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(self), interest-cohort=()",
        ))
        .layer(header_layer(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .into_inner();
    let hsts = config
        .https()
        .then(|| header_layer(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"));

    let limited = rate_limited(
        public::limited_router().merge(staff::limited_router()).route(
            "/api/v1/classes/{id}/registrations",
            axum::routing::post(api::registrations::register)
                .layer(DefaultBodyLimit::max(body_limit("/api/v1/classes/0/registrations", 0))),
        ),
        &state,
    );
    let app = Router::new()
        .merge(public::router())
        .merge(staff::router())
        .merge(limited)
        // Anonymous Open311 filing has its own hourly budget; keyed apps are not limited.
        .merge(open311::router())
        .nest("/api/v1", api::router())
        .route("/healthz", axum::routing::get(health::healthz))
        .route("/readyz", axum::routing::get(health::healthz))
        .route("/livez", axum::routing::get(metrics::livez))
        .route("/metrics", axum::routing::get(metrics::serve))
        .nest("/assets", assets)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            staff::require_admin_two_factor,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), refuse_nul))
        .layer(middleware::from_fn_with_state(state.clone(), render_error_pages))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .with_state(state);

    // Outermost first: security headers wrap everything, so even answers made by the
    // layers below (413 from the body limit, 403 from CSRF, 408) carry them.
    app.layer(
        ServiceBuilder::new()
            .layer(security)
            .option_layer(hsts)
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|req: &Request| {
                        let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                        tracing::info_span!("request", method = %req.method(), path = %loggable_path(req.uri().path()), request_id = %id)
                    })
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(CatchPanicLayer::new())
            // Above compression and tagging: a kept page is kept as sent, tag and all.
            .layer(middleware::from_fn_with_state(pages, page_cache::serve))
            .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout()))
            .layer(DefaultBodyLimit::max(config.max_body_bytes))
            .layer(middleware::from_fn_with_state(config.max_body_bytes, limit_body))
            .layer(CompressionLayer::new())
            .layer(middleware::from_fn(conditional::revalidate))
            .layer(middleware::from_fn_with_state(config.public_url.clone(), origin::protect)),
    )
}

/// The routes that take photos, which are larger than any form.
pub const PHOTO_UPLOAD_PATH: &str = "/staff/profile/photo";
pub const LOGO_UPLOAD_PATH: &str = "/staff/settings/logo";

/// The largest application (form or API) with documents attached: a few documents
/// each at their limit, or their base64 over JSON. Applying is rate limited per client.
pub const MAX_APPLICATION_BYTES: usize = 16 * 1024 * 1024;

/// Whether `path` files an application, which may carry documents.
fn files_an_application(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    matches!(
        segments.as_slice(),
        ["", "classes", _, "apply"] | ["", "api", "v1", "classes", _, "registrations"]
    )
}

/// The largest body a request to `path` may carry.
pub fn body_limit(path: &str, configured: usize) -> usize {
    if path == PHOTO_UPLOAD_PATH || path == LOGO_UPLOAD_PATH {
        // Read a photo somewhat over the limit whole, so the person is told it is too
        // large on a page instead of seeing a connection cut off mid-upload (only
        // signed-in staff get this far: the body is read after the session check).
        configured.max(4 * crate::documents::photo::MAX_UPLOAD_BYTES)
    } else if files_an_application(path) {
        configured.max(MAX_APPLICATION_BYTES)
    } else {
        configured
    }
}

/// Refuses (413) a body declared larger than the route's limit, and cuts off one that
/// grows past it while being read (extractors then answer 413).
async fn limit_body(State(configured): State<usize>, req: Request, next: Next) -> Response {
    let limit = body_limit(req.uri().path(), configured);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return problem_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "The request is larger than this service accepts.",
        );
    }
    next.run(req.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit))))
        .await
}

/// Wraps the application routes in the per-address budget when one is configured
/// (`crate::auth::limits`: shared by every instance on PostgreSQL).
fn rate_limited(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    if state.request_budget.is_none() {
        return router;
    }
    router.layer(middleware::from_fn_with_state(state.clone(), within_budget))
}

async fn within_budget(
    State(state): State<AppState>,
    client: client::ClientAddr,
    request: Request,
    next: middleware::Next,
) -> Response {
    let Some(budget) = &state.request_budget else {
        return next.run(request).await;
    };
    match budget.allow(client.0, jiff::Timestamp::now()).await {
        Ok(true) => next.run(request).await,
        Ok(false) => {
            // Problem JSON for the API; a page for people (the certificate check, forms).
            let mut res = if request.uri().path().starts_with("/api/") {
                ApiError(AppError::TooManyRequests).into_response()
            } else {
                AppError::TooManyRequests.into_response()
            };
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            res
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

/// A 303 redirect to a path of this site. Paths are built from ids and fixed text; should
/// one ever not be a valid header value, the visitor lands on the home page instead.
pub fn see_other(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// A `Set-Cookie` value for a session cookie: HttpOnly, scoped to `path`, `Secure` when
/// served over https. An empty value with `max_age` 0 clears it.
pub fn session_cookie(
    name: &str,
    value: &str,
    path: &str,
    same_site: &str,
    max_age: i64,
    https: bool,
) -> Result<HeaderValue, AppError> {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
    ))
    .map_err(|e| AppError::Internal(e.into()))
}

/// The value of the cookie `name`, if the request carries it.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Anything no route matched: problem JSON under `/api`, a branded page elsewhere.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        problem_response(
            StatusCode::NOT_FOUND,
            "not-found",
            "No API resource lives at this address.",
        )
    } else {
        AppError::NotFound("page").into_response()
    }
}

/// Refuses any request whose path, query or form/JSON body carries a NUL character.
/// No field has a use for one, and PostgreSQL cannot store it in text, so without this
/// the same input would be kept on SQLite and fail on PostgreSQL.
async fn refuse_nul(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/open311/");
    let refuse = |what: &str| {
        let message = format!("The {what} contains a NUL character, which no field may hold.");
        if api {
            problem_response(StatusCode::BAD_REQUEST, "bad-request", &message)
        } else {
            AppError::BadRequest(message).into_response()
        }
    };
    let has_nul_escape = |s: &str| {
        s.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    };
    if has_nul_escape(req.uri().path()) || req.uri().query().is_some_and(has_nul_escape) {
        return refuse("address");
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.contains("json");
    if !form && !json {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let limit = body_limit(parts.uri.path(), state.config.max_body_bytes);
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return problem_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "The request is larger than this service accepts.",
        );
    };
    let text = String::from_utf8_lossy(&bytes);
    if bytes.contains(&0) || (form && has_nul_escape(&text)) || (json && text.contains("\\u0000")) {
        return refuse("form");
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// Replaces the plain body of a page error with the branded error page. Runs after the
/// handler so errors from any page get the department's header and footer.
async fn render_error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let Some(page) = res.extensions().get::<ErrorPage>().cloned() else {
        return res;
    };
    let status = res.status();
    // A failing database must not turn a 404 into a 500: fall back to no department.
    let dept = tokio::time::timeout(Duration::from_secs(2), state.store.department())
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    let page = layout::ErrorTemplate {
        layout: layout::Layout::new(dept.as_ref(), ""),
        title: page.title,
        message: page.message,
    };
    match askama::Template::render(&page) {
        Ok(html) => {
            // Keep what the error said in headers (e.g. `Retry-After`); only the body changes.
            let mut page = (status, Html(html)).into_response();
            for (name, value) in res.headers() {
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                    page.headers_mut().append(name, value.clone());
                }
            }
            page
        }
        Err(e) => {
            tracing::error!(error = %e, "rendering the error page failed");
            res
        }
    }
}

/// A path as the log keeps it: secret link tokens (survey, sign-in, consent, calendar
/// links carry one as a path segment) become `{token}`, so logs hand out no working
/// link and cannot tie a survey answer's time to its person.
pub fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let token_like = segment.len() >= 32
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
            if token_like { "{token}" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_keep_no_link_tokens() {
        assert_eq!(
            loggable_path("/surveys/nocMH4Sy1DgUcrrPNU74tqzVp9SzXpZPP3lMbK5XN6w"),
            "/surveys/{token}"
        );
        assert_eq!(
            loggable_path("/calendar/me/nocMH4Sy1DgUcrrPNU74tqzVp9SzXpZPP3lMbK5XN6w.ics"),
            "/calendar/me/{token}"
        );
        assert_eq!(
            loggable_path("/staff/classes/12/sessions/3"),
            "/staff/classes/12/sessions/3"
        );
        assert_eq!(
            loggable_path("/certificates/2026-00012-K7QX"),
            "/certificates/2026-00012-K7QX"
        );
    }
}
