//! Conditional GET: every page and JSON answer carries a weak `ETag` made from its bytes, and
//! a client that sends it back in `If-None-Match` gets `304 Not Modified` without the body.
//! The tag comes from what is sent, so a seat taken or a page edited changes it at once: a
//! revalidating browser never keeps a stale "seats left". Weak, because compression below
//! changes the bytes on the wire but not what they mean.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};

/// Larger answers (exports) stream as they are, untagged.
const MAX_TAGGED_BYTES: u64 = 2 * 1024 * 1024;

/// Tags successful GET and HEAD answers of pages and JSON, and answers 304 to a match.
pub async fn revalidate(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let asked = req.headers().get(IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    if res.status() != StatusCode::OK || res.headers().contains_key(ETAG) || !taggable(&res) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes: Bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            tracing::warn!(error = %e, "answer body could not be read for its tag");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = tag_of(&bytes);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(ETAG, value);
    }
    if asked
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| matches(v, &tag))
    {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A page or a JSON answer whose whole body is already in memory and small enough to hash.
fn taggable(res: &Response) -> bool {
    let kind = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let textual = kind.starts_with("text/html")
        || kind.starts_with("application/json")
        || kind.starts_with("application/atom+xml");
    let size = axum::body::HttpBody::size_hint(res.body()).exact();
    textual && size.is_some_and(|n| n <= MAX_TAGGED_BYTES)
}

/// A weak entity tag of these bytes.
fn tag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// Whether `If-None-Match` names `tag` (weak comparison, RFC 9110 13.1.2), or is `*`.
pub(super) fn matches(if_none_match: &str, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    if_none_match.trim() == "*" || if_none_match.split(',').any(|t| opaque(t) == opaque(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_bytes_and_match_weakly() {
        let a = tag_of(b"<p>3 seats left</p>");
        assert_eq!(a, tag_of(b"<p>3 seats left</p>"));
        assert_ne!(a, tag_of(b"<p>2 seats left</p>"));
        assert!(a.starts_with("W/\""));
        let strong = a.trim_start_matches("W/");
        assert!(matches(&a, &a) && matches(strong, &a));
        assert!(matches(&format!("W/\"other\", {a}"), &a));
        assert!(matches("*", &a));
        assert!(!matches("W/\"other\"", &a) && !matches("", &a));
    }
}
