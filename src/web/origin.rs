//! Cross-site request forgery protection from where a request says it comes from.
//!
//! A state-changing request (any method but GET, HEAD, OPTIONS) passes when:
//! - the browser says it is `Sec-Fetch-Site: same-origin`; or
//! - its `Origin` is exactly the service's origin: scheme, host and port of the public URL
//!   (`PRECINCT_PUBLIC_URL`), or of the `Host` it was sent to when none is configured; or
//! - it carries neither header *and no cookie*: a program (API client with a bearer
//!   token, an Open311 app), which no other site can make act with a visitor's session.
//!
//! So a form posted from another site, from the same host under another scheme or port,
//! or a cookie-carrying request that hides where it comes from, is refused with 403. We
//! chose this over a synchronizer token in every form: every browser we serve sends
//! `Origin` on POST, and it needs no state. SECURITY.md explains the choice.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::web::error::{AppError, problem_response};

/// What the rule decided, and why (for the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    CrossSite,
    OtherOrigin,
    NoProvenance,
}

/// An origin as (scheme, host, port), lower-cased, the port filled in for the scheme.
fn parse(origin: &str) -> Option<(String, String, u16)> {
    let origin = origin.trim().trim_end_matches('/');
    let (scheme, rest) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    // An origin has no path; a public URL may, and it does not count.
    let authority = rest.split('/').next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => match p.parse::<u16>() {
            Ok(p) if !h.is_empty() => (h, p),
            _ if authority.ends_with(']') => (authority, default),
            _ => return None,
        },
        _ => (authority, default),
    };
    Some((scheme, host.to_ascii_lowercase(), port))
}

/// The service's own origin: from its public URL, or from the `Host` the request was sent
/// to (plain HTTP, as served without a public URL).
pub fn expected_origin(public_url: Option<&str>, host: Option<&str>) -> Option<String> {
    match public_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => Some(url.to_string()),
        None => host.map(|h| format!("http://{h}")),
    }
}

/// The rule for one request.
pub fn verdict(
    method: &Method,
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    expected: Option<&str>,
    has_cookie: bool,
) -> Verdict {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Verdict::Pass;
    }
    match sec_fetch_site.map(str::trim) {
        Some(s) if s.eq_ignore_ascii_case("same-origin") => return Verdict::Pass,
        Some(_) => return Verdict::CrossSite,
        None => {}
    }
    match origin {
        Some(o) => {
            let same = matches!((parse(o), expected.and_then(parse)), (Some(a), Some(b)) if a == b);
            if same { Verdict::Pass } else { Verdict::OtherOrigin }
        }
        None if has_cookie => Verdict::NoProvenance,
        None => Verdict::Pass,
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The middleware: refuses what [`verdict`] refuses, with a page or problem JSON.
pub async fn protect(State(public_url): State<Option<String>>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let expected = expected_origin(public_url.as_deref(), header(headers, "host"));
    let verdict = verdict(
        req.method(),
        header(headers, "sec-fetch-site"),
        header(headers, "origin"),
        expected.as_deref(),
        headers.contains_key(header::COOKIE),
    );
    if verdict == Verdict::Pass {
        return next.run(req).await;
    }
    tracing::warn!(?verdict, path = %crate::web::loggable_path(req.uri().path()), "cross-site request refused");
    let message = "This request did not come from this site's own pages, so it was refused. \
                   Open the page again and send the form from there.";
    if req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/open311/") {
        problem_response(StatusCode::FORBIDDEN, "cross-site", message)
    } else {
        (StatusCode::FORBIDDEN, AppError::BadRequest(message.into())).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: Option<&str> = Some("http://127.0.0.1:8080");

    fn post(site: Option<&str>, origin: Option<&str>, cookie: bool) -> Verdict {
        verdict(&Method::POST, site, origin, HERE, cookie)
    }

    #[test]
    fn same_origin_forms_pass_and_others_do_not() {
        assert_eq!(post(Some("same-origin"), None, true), Verdict::Pass);
        assert_eq!(post(None, Some("http://127.0.0.1:8080"), true), Verdict::Pass);
        assert_eq!(
            post(Some("cross-site"), Some("http://127.0.0.1:8080"), true),
            Verdict::CrossSite
        );
        assert_eq!(post(Some("same-site"), None, true), Verdict::CrossSite);
        assert_eq!(post(Some("none"), None, true), Verdict::CrossSite);
        assert_eq!(
            post(None, Some("https://attacker.example"), false),
            Verdict::OtherOrigin
        );
        assert_eq!(post(None, Some("null"), true), Verdict::OtherOrigin);
    }

    #[test]
    fn scheme_and_port_count() {
        assert_eq!(post(None, Some("https://127.0.0.1:8080"), true), Verdict::OtherOrigin);
        assert_eq!(post(None, Some("http://127.0.0.1:8081"), true), Verdict::OtherOrigin);
        assert_eq!(post(None, Some("http://127.0.0.1"), true), Verdict::OtherOrigin);
        let public = Some("https://programs.example.org");
        let ok = |o| verdict(&Method::POST, None, Some(o), public, true);
        assert_eq!(ok("https://programs.example.org"), Verdict::Pass);
        assert_eq!(ok("https://PROGRAMS.example.org:443"), Verdict::Pass);
        assert_eq!(ok("http://programs.example.org"), Verdict::OtherOrigin);
        assert_eq!(ok("https://programs.example.org:8443"), Verdict::OtherOrigin);
        assert_eq!(ok("https://programs.example.org.evil.test"), Verdict::OtherOrigin);
    }

    #[test]
    fn cookies_need_provenance_and_programs_do_not() {
        assert_eq!(post(None, None, true), Verdict::NoProvenance);
        assert_eq!(post(None, None, false), Verdict::Pass);
        assert_eq!(
            verdict(&Method::GET, Some("cross-site"), None, HERE, true),
            Verdict::Pass
        );
        assert_eq!(verdict(&Method::DELETE, None, None, HERE, true), Verdict::NoProvenance);
    }

    #[test]
    fn origins_parse_with_their_default_ports() {
        assert_eq!(parse("http://a.example"), Some(("http".into(), "a.example".into(), 80)));
        assert_eq!(
            parse("https://a.example/path"),
            Some(("https".into(), "a.example".into(), 443))
        );
        assert_eq!(parse("http://[::1]:8080"), Some(("http".into(), "[::1]".into(), 8080)));
        assert_eq!(parse("ftp://a.example"), None);
        assert_eq!(parse("null"), None);
        assert_eq!(parse("http://user@a.example"), None);
    }
}
