//! Public pages kept in memory, so a city reloading a class page while it fills costs a
//! lookup instead of a render.
//!
//! What is kept: successful GET answers of the public catalog (home, programs, a program,
//! a class, the content pages, the news feed and the public catalog API) to requests that
//! carry no cookie and no credentials, so nothing personal can be kept or handed to
//! someone else. One entry per path, query and `Accept-Encoding`, holding the bytes as
//! sent (compressed, with their `ETag`).
//!
//! How long: an entry is used only while (1) no write that can change a public page has
//! finished on this instance since the page was read, and (2) it is younger than
//! [`LIFETIME`]. Writes signal through [`PublicChanges`]: every unsafe request (POST, PUT,
//! PATCH, DELETE) when it has been answered, the registrar after each committed batch, and
//! the background jobs after a lottery draw or an expired offer. So on one instance
//! seats-left is never staler than the last committed application; what only the clock
//! changes (a registration window opening) and writes made by another instance sharing
//! the database show within [`LIFETIME`].

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT_ENCODING, AUTHORIZATION, CACHE_CONTROL, COOKIE, ETAG, IF_NONE_MATCH, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use crate::service::changes::PublicChanges;

/// The longest an entry is used, whatever the writes.
pub const LIFETIME: Duration = Duration::from_secs(1);
/// Entries kept at most; a full cache starts over (public pages are few).
const MAX_ENTRIES: usize = 2048;
/// Larger answers are not kept.
const MAX_BODY: usize = 1024 * 1024;
/// Longer keys (query strings) are not kept, so a crawler cannot fill memory.
const MAX_KEY: usize = 512;

/// Handle to the cache; cheap to clone.
#[derive(Clone)]
pub struct PageCache {
    changes: PublicChanges,
    /// Hits never reach the router's request metrics, so the cache counts its own.
    metrics: Arc<crate::telemetry::metrics::Metrics>,
    entries: Arc<RwLock<HashMap<String, Arc<Entry>>>>,
    /// One render at a time per key: when an entry retires under load, the first reader
    /// renders and the others wait for its page instead of all rendering at once.
    renders: Arc<std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

struct Entry {
    generation: u64,
    stored: Instant,
    headers: HeaderMap,
    body: Bytes,
}

impl PageCache {
    pub fn new(changes: PublicChanges, metrics: Arc<crate::telemetry::metrics::Metrics>) -> PageCache {
        PageCache {
            changes,
            metrics,
            entries: Arc::default(),
            renders: Arc::default(),
        }
    }

    /// The signal that empties it, for the registrar and the jobs.
    pub fn changes(&self) -> &PublicChanges {
        &self.changes
    }

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        (entry.generation == self.changes.generation() && entry.stored.elapsed() < LIFETIME).then(|| entry.clone())
    }

    /// The lock readers of `key` take to render it.
    fn render_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut renders = self.renders.lock().unwrap_or_else(|e| e.into_inner());
        if renders.len() >= MAX_ENTRIES && !renders.contains_key(key) {
            renders.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        renders.entry(key.to_string()).or_default().clone()
    }

    fn put(&self, key: String, entry: Arc<Entry>) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, entry);
    }
}

/// The middleware: answers from memory when it may, keeps what it may, and signals a
/// change after every unsafe request.
pub async fn serve(State(cache): State<PageCache>, mut req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        // Applications signal per committed batch from the registrar instead, so a rush of
        // them does not empty the cache once per request.
        let signals_itself = is_intake(req.method(), req.uri().path());
        let res = next.run(req).await;
        if !signals_itself {
            cache.changes.edited();
        }
        return res;
    }
    let Some(key) = key_of(&req) else {
        return next.run(req).await;
    };
    let asked = req.headers_mut().remove(IF_NONE_MATCH);
    let (entry, outcome) = match cache.get(&key) {
        Some(entry) => (entry, HIT),
        None => {
            let lock = cache.render_lock(&key);
            let _rendering = lock.lock().await;
            // Another reader may have rendered it while this one waited.
            match cache.get(&key) {
                Some(entry) => (entry, HIT),
                None => match render(&cache, key, req, next).await {
                    Ok(entry) => (entry, MISS),
                    // Not kept (a HEAD, a large page): still revalidated, as below this layer.
                    Err(res) if res.status() == StatusCode::OK => {
                        return not_modified(res.headers(), asked.as_ref().and_then(|v| v.to_str().ok()))
                            .unwrap_or(res);
                    }
                    Err(res) => return res,
                },
            }
        }
    };
    let mut res = answer(&entry, asked.as_ref().and_then(|v| v.to_str().ok()));
    cache.metrics.page_cache(outcome == HIT);
    res.headers_mut().insert(X_CACHE, HeaderValue::from_static(outcome));
    res
}

/// Renders the page and keeps it when it may; `Err` is an answer to pass on as it is.
async fn render(cache: &PageCache, key: String, req: Request, next: Next) -> Result<Arc<Entry>, Response> {
    // Read before rendering: a write finishing meanwhile makes this entry stale.
    let generation = cache.changes.generation();
    // A HEAD answer has no body to keep; it is served from a kept GET only.
    let head = req.method() == Method::HEAD;
    let res = next.run(req).await;
    if head || !keepable(&res) {
        return Err(res);
    }
    let (parts, body) = res.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            tracing::warn!(error = %e, "a page body could not be read for the cache");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    if body.len() > MAX_BODY {
        return Err(Response::from_parts(parts, Body::from(body)));
    }
    let entry = Arc::new(Entry {
        generation,
        stored: Instant::now(),
        headers: parts.headers,
        body,
    });
    cache.put(key, entry.clone());
    Ok(entry)
}

/// `X-Cache: hit` or `miss` on answers the cache could keep, as shared caches report it;
/// absent where the cache stood aside (credentials, private paths).
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
const HIT: &str = "hit";
const MISS: &str = "miss";

/// The kept answer, or 304 when the client holds it already.
fn answer(entry: &Entry, if_none_match: Option<&str>) -> Response {
    if let Some(res) = not_modified(&entry.headers, if_none_match) {
        return res;
    }
    let mut res = Response::new(Body::from(entry.body.clone()));
    *res.headers_mut() = entry.headers.clone();
    res
}

/// 304 with the tag, when `If-None-Match` names the tag in `headers`. The request reached
/// the layers below without the header (so a miss renders a page to keep), hence answered here.
fn not_modified(headers: &HeaderMap, if_none_match: Option<&str>) -> Option<Response> {
    let tag = headers.get(ETAG)?.to_str().ok()?;
    if !super::conditional::matches(if_none_match?, tag) {
        return None;
    }
    let mut res = StatusCode::NOT_MODIFIED.into_response();
    for name in [ETAG, CACHE_CONTROL] {
        if let Some(v) = headers.get(&name) {
            res.headers_mut().insert(name, v.clone());
        }
    }
    Some(res)
}

/// The cache key, when this request may be answered from memory: an anonymous GET of a
/// public catalog path.
fn key_of(req: &Request) -> Option<String> {
    let headers = req.headers();
    if headers.contains_key(COOKIE) || headers.contains_key(AUTHORIZATION) || !cacheable(req.uri().path()) {
        return None;
    }
    let encoding = headers.get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let key = format!("{}\n{encoding}", req.uri());
    (key.len() <= MAX_KEY).then_some(key)
}

/// The public paths whose answers are the same for every anonymous reader.
fn cacheable(path: &str) -> bool {
    const EXACT: &[&str] = &[
        "/",
        "/programs",
        "/about",
        "/accessibility",
        "/privacy",
        "/advisories",
        "/feeds/news.atom",
        "/api/v1/programs",
        "/api/v1/classes",
    ];
    // One segment after these: `/classes/7`, not `/classes/7/apply`.
    const ONE_BELOW: &[&str] = &[
        "/programs/",
        "/classes/",
        "/pages/",
        "/advisories/",
        "/api/v1/programs/",
        "/api/v1/classes/",
    ];
    EXACT.contains(&path)
        || ONE_BELOW.iter().any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        })
}

/// Filing an application: the registrar signals once per batch.
fn is_intake(method: &Method, path: &str) -> bool {
    let one_id = |rest: Option<&str>, tail: &str| {
        rest.and_then(|r| r.strip_suffix(tail))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
    };
    *method == Method::POST
        && (one_id(path.strip_prefix("/classes/"), "/apply")
            || one_id(path.strip_prefix("/api/v1/classes/"), "/registrations"))
}

/// A complete, shareable success: no cookie set, nothing marked private.
fn keepable(res: &Response) -> bool {
    let private = res
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("private") || v.contains("no-store"));
    res.status() == StatusCode::OK
        && !private
        && !res.headers().contains_key(SET_COOKIE)
        && axum::body::HttpBody::size_hint(res.body())
            .upper()
            .is_some_and(|n| n <= MAX_BODY as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_catalog_paths_are_kept() {
        for path in [
            "/",
            "/programs",
            "/programs/citizen-academy",
            "/classes/7",
            "/api/v1/classes/7",
        ] {
            assert!(cacheable(path), "{path}");
        }
        for path in [
            "/classes/7/apply",
            "/classes/",
            "/my/applications",
            "/staff",
            "/api/v1/classes/7/registrations",
            "/api/v1/programs/x/statistics",
            "/consent/abc",
            "/surveys/abc",
            "/requests/follow/abc",
            "/calendar/me/abc.ics",
        ] {
            assert!(!cacheable(path), "{path}");
        }
    }

    #[test]
    fn intake_is_recognised_by_method_and_shape() {
        assert!(is_intake(&Method::POST, "/classes/12/apply"));
        assert!(is_intake(&Method::POST, "/api/v1/classes/12/registrations"));
        assert!(!is_intake(&Method::GET, "/classes/12/apply"));
        assert!(!is_intake(&Method::POST, "/classes/12/cancel"));
        assert!(!is_intake(&Method::POST, "/classes/x/apply"));
        assert!(!is_intake(&Method::PATCH, "/api/v1/classes/12"));
    }

    #[test]
    fn a_change_retires_every_entry() {
        let cache = PageCache::new(PublicChanges::default(), Arc::default());
        let entry = |generation| Entry {
            generation,
            stored: Instant::now(),
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"<p>3 seats left</p>"),
        };
        cache.put("/classes/1\n".into(), Arc::new(entry(cache.changes.generation())));
        assert!(cache.get("/classes/1\n").is_some());
        cache.changes().changed();
        assert!(cache.get("/classes/1\n").is_none());
    }
}
