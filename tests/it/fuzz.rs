//! Hostile input over real HTTP, for a bounded time: every form the site shows (to a
//! resident and to an administrator), every page's query string and path ids, every
//! JSON API operation in the OpenAPI document and the Open311 endpoints get mutated
//! submissions. The service must answer each with a page or a problem, never a 5xx,
//! never reflect markup unescaped, and stay consistent (no class oversold) afterwards.
//!
//! `PRECINCT_FUZZ_SECONDS` (default 15 per backend) bounds the run and
//! `PRECINCT_FUZZ_SEED` replays one; a failure prints the seed and the request.

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use crate::helpers::{Backend, Options, TestApp, spawn_app_with};
use crate::on_both_backends;

/// Markup planted in values; it must never come back unescaped in HTML.
const MARKER: &str = "<x-fuzz onload=alert(1)>";

/// A small, seedable generator (xorshift64*), so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that have broken parsers elsewhere: sizes, signs, encodings, dates at the
/// edges of the calendar, control characters, injection attempts.
fn hostile(rng: &mut Rng) -> String {
    const FIXED: &[&str] = &[
        "",
        " ",
        "0",
        "-1",
        "-9223372036854775808",
        "9223372036854775807",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "0.5",
        "true",
        "null",
        "[]",
        "{}",
        "2026-02-30",
        "9999-12-31",
        "0000-01-01",
        "-0001-01-01",
        "2026-13-01",
        "2026-12-01T25:61",
        "9999-12-31T23:59",
        "24:00",
        "23:59:60",
        "../../etc/passwd",
        "' OR 1=1 --",
        "\"; DROP TABLE classes; --",
        "{{7*7}}",
        "${jndi:ldap://x}",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "\r\nX-Injected: 1",
        "BEGIN:VEVENT\r\nSUMMARY:forged\r\nEND:VEVENT",
        "\u{0}",
        "\u{202e}gnp.exe",
        "\u{feff}",
        "😀👮🏽‍♀️",
        "Ω≈ç√∫",
        "a@b",
        "@",
        "x@y.z,other@y.z",
        "=HYPERLINK(\"http://x\")",
        "America/Nowhere",
        "Etc/GMT+14",
        "*",
        "%",
        "_",
        "citizen-academy",
        "monday",
        "lottery",
    ];
    match rng.below(10) {
        0 => MARKER.to_string(),
        1 => "A".repeat(1 + rng.below(20_000)),
        2 => format!("{}{MARKER}", rng.pick(FIXED)),
        3 => (0..rng.below(40))
            .map(|_| char::from_u32(rng.below(0x2FFF) as u32).unwrap_or('?'))
            .collect(),
        4 => rng.below(100_000).to_string(),
        _ => rng.pick(FIXED).to_string(),
    }
}

/// A form as a page shows it: where it goes and the fields with their shown values.
#[derive(Debug, Clone)]
struct FormShape {
    method: String,
    action: String,
    fields: Vec<(String, String)>,
}

/// Attributes of every `<tag ...>` of the given name, in order. Our templates are ours,
/// so a plain scanner is enough (attributes are always quoted).
fn tags<'a>(html: &'a str, name: &str) -> Vec<(usize, Vec<(&'a str, String)>)> {
    let mut out = Vec::new();
    let open = format!("<{name}");
    let mut at = 0;
    while let Some(i) = html[at..].find(&open) {
        let start = at + i;
        let rest = &html[start + open.len()..];
        if !rest.starts_with([' ', '>', '\n', '/']) {
            at = start + open.len();
            continue;
        }
        let end = rest.find('>').map_or(html.len(), |e| start + open.len() + e);
        let inner = &html[start + open.len()..end];
        out.push((start, attributes(inner)));
        at = end.max(start + 1);
    }
    out
}

fn attributes(inner: &str) -> Vec<(&str, String)> {
    let mut attrs = Vec::new();
    let mut rest = inner;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
        let after = &rest[eq + 2..];
        let Some(close) = after.find('"') else { break };
        attrs.push((name, unescape(&after[..close])));
        rest = &after[close + 1..];
    }
    attrs
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attr<'a>(attrs: &'a [(&str, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

/// The forms of a page with their fields (inputs, selects with their first option,
/// textareas, buttons that carry a value).
fn forms(html: &str, page: &str) -> Vec<FormShape> {
    let mut out = Vec::new();
    let starts = tags(html, "form");
    for (i, (at, attrs)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(html.len(), |(next, _)| *next);
        let body = &html[*at..end];
        let body = &body[..body.find("</form>").unwrap_or(body.len())];
        let mut fields = Vec::new();
        for tag in ["input", "textarea", "button"] {
            for (_, a) in tags(body, tag) {
                if let Some(name) = attr(&a, "name") {
                    fields.push((name.to_string(), attr(&a, "value").unwrap_or("").to_string()));
                }
            }
        }
        for (pos, a) in tags(body, "select") {
            if let Some(name) = attr(&a, "name") {
                let option = tags(&body[pos..], "option")
                    .into_iter()
                    .filter_map(|(_, o)| attr(&o, "value").map(str::to_string))
                    .find(|v| !v.is_empty())
                    .unwrap_or_default();
                fields.push((name.to_string(), option));
            }
        }
        let action = attr(attrs, "action")
            .filter(|a| !a.is_empty())
            .unwrap_or(page)
            .to_string();
        out.push(FormShape {
            method: attr(attrs, "method").unwrap_or("get").to_ascii_uppercase(),
            action,
            fields,
        });
    }
    out
}

/// Same-site links of a page, without fragments.
fn links(html: &str) -> Vec<String> {
    tags(html, "a")
        .into_iter()
        .filter_map(|(_, a)| attr(&a, "href").map(str::to_string))
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .collect()
}

/// Pages that end the crawler's own session or only serve files.
fn skipped(path: &str) -> bool {
    path.contains("sign-out")
        || path.starts_with("/assets/")
        || path.ends_with(".pdf")
        || path.ends_with(".csv")
        || path.ends_with(".ics")
}

struct Surface {
    pages: Vec<(Option<String>, String)>,
    forms: Vec<(Option<String>, FormShape)>,
}

/// Breadth-first over the site as `cookie`'s holder, up to `limit` pages.
async fn crawl(app: &TestApp, cookie: Option<&str>, start: &[&str], limit: usize, surface: &mut Surface) {
    let mut queue: VecDeque<String> = start.iter().map(|s| s.to_string()).collect();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut visited = 0;
    while let Some(path) = queue.pop_front() {
        if visited >= limit {
            break;
        }
        visited += 1;
        let mut req = app.client.get(format!("{}{path}", app.address));
        if let Some(c) = cookie {
            req = req.header(reqwest::header::COOKIE, c);
        }
        let res = req.send().await.expect("crawl request");
        let status = res.status().as_u16();
        assert!(status < 500, "GET {path} answered {status} before fuzzing");
        let html = res.text().await.unwrap_or_default();
        surface.pages.push((cookie.map(str::to_string), path.clone()));
        for f in forms(&html, &path) {
            if !skipped(&f.action) {
                surface.forms.push((cookie.map(str::to_string), f));
            }
        }
        for link in links(&html) {
            // One page per route shape is enough to reach its forms.
            let shape: String = link.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect();
            if !skipped(&link) && seen.insert(shape) {
                queue.push_back(link);
            }
        }
    }
}

/// One request to send, described for the failure message.
struct Attempt {
    method: reqwest::Method,
    path: String,
    cookie: Option<String>,
    bearer: Option<String>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Mutated form fields: some kept, some replaced, dropped, repeated or added.
fn mutate_fields(rng: &mut Rng, fields: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, value) in fields {
        match rng.below(10) {
            0..=3 => out.push((name.clone(), value.clone())),
            4 => {}
            5 => {
                out.push((name.clone(), hostile(rng)));
                out.push((name.clone(), hostile(rng)));
            }
            _ => out.push((name.clone(), hostile(rng))),
        }
    }
    if rng.chance(20) {
        out.push((hostile(rng), hostile(rng)));
    }
    out
}

fn encode(fields: &[(String, String)], rng: &mut Rng) -> Vec<u8> {
    let mut body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&");
    // Broken encodings: a lone %, invalid UTF-8, a key without '='.
    match rng.below(12) {
        0 => body.push_str("&bad=%"),
        1 => body.push_str("&utf8=%FF%FE%C0"),
        2 => body.push_str("&novalue"),
        _ => {}
    }
    body.into_bytes()
}

/// Replaces one numeric path segment with a hostile one.
fn mutate_path(rng: &mut Rng, path: &str) -> String {
    let (path, query) = path.split_once('?').map_or((path, None), |(p, q)| (p, Some(q)));
    let mut segments: Vec<String> = path.split('/').map(str::to_string).collect();
    let numeric: Vec<usize> = (0..segments.len())
        .filter(|&i| !segments[i].is_empty() && segments[i].bytes().all(|b| b.is_ascii_digit()))
        .collect();
    if !numeric.is_empty() && rng.chance(60) {
        let i = *rng.pick(&numeric);
        segments[i] = percent(&hostile(rng));
    } else if segments.len() > 2 && rng.chance(30) {
        let i = 1 + rng.below(segments.len() - 1);
        segments[i] = percent(&hostile(rng));
    }
    let mut out = segments.join("/");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

fn query(rng: &mut Rng, keys: &[String]) -> String {
    (0..1 + rng.below(4))
        .map(|_| {
            let key = if keys.is_empty() || rng.chance(20) {
                hostile(rng)
            } else {
                rng.pick(keys).clone()
            };
            format!("{}={}", percent(&key), percent(&hostile(rng)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A random JSON value shaped loosely like `schema` (property names from it, random
/// types and hostile strings in them).
fn json_for(rng: &mut Rng, schema: &serde_json::Value, spec: &serde_json::Value, depth: u8) -> serde_json::Value {
    use serde_json::Value;
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(spec, |v, k| &v[k]))
            .unwrap_or(&Value::Null),
        None => schema,
    };
    if depth > 3 {
        return Value::String(hostile(rng));
    }
    match rng.below(12) {
        0 => return Value::Null,
        1 => return Value::from(rng.next() as i64),
        2 => return Value::String(hostile(rng)),
        3 => return serde_json::json!([hostile(rng), -1, {"a": null}]),
        _ => {}
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let mut obj = serde_json::Map::new();
        for (name, sub) in props {
            if rng.chance(85) {
                obj.insert(name.clone(), json_for(rng, sub, spec, depth + 1));
            }
        }
        return Value::Object(obj);
    }
    if let Some(items) = schema.get("items") {
        return Value::Array(
            (0..rng.below(4))
                .map(|_| json_for(rng, items, spec, depth + 1))
                .collect(),
        );
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => Value::from(*rng.pick(&[0i64, -1, 1, i64::MAX, i64::MIN, 42])),
        Some("number") => Value::from(*rng.pick(&[0.5f64, -1e300, 1e300])),
        Some("boolean") => Value::Bool(rng.chance(50)),
        _ => Value::String(hostile(rng)),
    }
}

/// API operations from the OpenAPI document: method, path template, body schema,
/// whether it needs a token.
fn operations(spec: &serde_json::Value) -> Vec<(reqwest::Method, String, serde_json::Value, bool)> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let Ok(m) = method.to_ascii_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let schema = op["requestBody"]["content"]["application/json"]["schema"].clone();
            let secured = op
                .get("security")
                .is_some_and(|s| !s.as_array().is_some_and(Vec::is_empty));
            let full = if path.starts_with("/api/") {
                path.clone()
            } else {
                format!("/api/v1{path}")
            };
            ops.push((m, full, schema, secured));
        }
    }
    ops
}

fn fill_template(rng: &mut Rng, template: &str, ids: &[i64]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        if rng.chance(75) {
            out.push_str(&rng.pick(ids).to_string());
        } else {
            out.push_str(&percent(&hostile(rng)));
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

async fn send(app: &TestApp, client: &reqwest::Client, a: &Attempt) -> Result<(), String> {
    // No HTTP library sends a URI of 64 KiB or more (the `http` crate refuses it before it
    // leaves the client), so a long generated path or query is cut just under that.
    let path: String = a.path.chars().take(60_000).collect();
    let mut req = client.request(a.method.clone(), format!("{}{path}", app.address));
    if let Some(c) = &a.cookie {
        req = req.header(reqwest::header::COOKIE, c);
    }
    if let Some(t) = &a.bearer {
        req = req.bearer_auth(t);
    }
    if let Some(ct) = a.content_type {
        req = req.header(reqwest::header::CONTENT_TYPE, ct);
    }
    if !a.body.is_empty() {
        req = req.body(a.body.clone());
    }
    let res = req.send().await.map_err(|e| format!("no answer: {e:?}"))?;
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if !res.headers().contains_key("content-security-policy") {
        return Err(format!("{status} without security headers"));
    }
    let body = res.bytes().await.map_err(|e| format!("body: {e}"))?;
    let text = String::from_utf8_lossy(&body);
    if status >= 500 {
        return Err(format!(
            "answered {status}: {}",
            text.chars().take(400).collect::<String>()
        ));
    }
    if content_type.starts_with("text/html") && text.contains("<x-fuzz") {
        return Err(format!("{status}: planted markup came back unescaped"));
    }
    if content_type.starts_with("application/problem+json") {
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| format!("problem is not JSON: {e}"))?;
        if !v["type"].is_string() || !v["title"].is_string() {
            return Err(format!("problem without type or title: {v}"));
        }
    }
    Ok(())
}

fn fuzz_seconds() -> u64 {
    std::env::var("PRECINCT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15)
}

fn seed() -> u64 {
    std::env::var("PRECINCT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            (t.as_nanos() as u64) | 1
        })
}

async fn hostile_input_never_breaks_the_service(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            demo: true,
            ..Default::default()
        },
    )
    .await;
    let admin = crate::staff::session(&app, crate::staff::ADMIN).await;
    let token = {
        let t = precinct::tokens::generate();
        app.store
            .insert_api_token(
                "fuzz",
                precinct::domain::Role::Admin,
                &precinct::tokens::hash(&t),
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        t
    };

    let mut surface = Surface {
        pages: Vec::new(),
        forms: Vec::new(),
    };
    crawl(
        &app,
        None,
        &["/", "/programs", "/requests/new", "/my", "/staff/sign-in"],
        60,
        &mut surface,
    )
    .await;
    crawl(&app, Some(&admin), &["/staff"], 120, &mut surface).await;
    let posts = surface.forms.iter().filter(|(_, f)| f.method == "POST").count();
    assert!(posts >= 20, "the crawl found the site's forms ({posts} POST forms)");
    let query_keys: Vec<String> = surface
        .forms
        .iter()
        .filter(|(_, f)| f.method == "GET")
        .flat_map(|(_, f)| f.fields.iter().map(|(k, _)| k.clone()))
        .chain(["page", "status", "program", "from", "to", "q", "sort"].map(String::from))
        .collect();
    let spec = app.get_json("/api/v1/openapi.json").await;
    let ops = operations(&spec);
    assert!(ops.len() >= 10, "the OpenAPI document lists the API");
    let classes = app.get_json("/api/v1/classes").await;
    let mut ids: Vec<i64> = classes["classes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    ids.extend([0, -1, 1, 999_999]);
    let services = app.get_json("/open311/v2/services.json").await;
    let codes: Vec<String> = services
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["service_code"].as_str().map(str::to_string))
        .collect();

    // A fresh connection per request: a server may close a connection after answering
    // without reading a refused body, and reusing it would race that close.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let seed = seed();
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(fuzz_seconds());
    let mut sent = 0u32;
    while Instant::now() < deadline {
        let attempt = match rng.below(10) {
            // A form of the site, mutated.
            0..=4 => {
                let (cookie, form) = rng.pick(&surface.forms).clone();
                let fields = mutate_fields(&mut rng, &form.fields);
                let path = if rng.chance(20) {
                    mutate_path(&mut rng, &form.action)
                } else {
                    form.action
                };
                if form.method == "POST" {
                    let content_type = if rng.chance(90) {
                        Some("application/x-www-form-urlencoded")
                    } else {
                        Some(*rng.pick(&["application/json", "text/plain", "multipart/form-data"]))
                    };
                    Attempt {
                        method: reqwest::Method::POST,
                        path,
                        cookie,
                        bearer: None,
                        content_type,
                        body: encode(&fields, &mut rng),
                    }
                } else {
                    let q = String::from_utf8(encode(&fields, &mut rng)).unwrap_or_default();
                    Attempt {
                        method: reqwest::Method::GET,
                        path: format!("{}?{q}", path.split('?').next().unwrap_or("/")),
                        cookie,
                        bearer: None,
                        content_type: None,
                        body: Vec::new(),
                    }
                }
            }
            // A page with a hostile query string or path id.
            5..=6 => {
                let (cookie, page) = rng.pick(&surface.pages).clone();
                let path = mutate_path(&mut rng, &page);
                let sep = if path.contains('?') { '&' } else { '?' };
                Attempt {
                    method: reqwest::Method::GET,
                    path: format!("{path}{sep}{}", query(&mut rng, &query_keys)),
                    cookie,
                    bearer: None,
                    content_type: None,
                    body: Vec::new(),
                }
            }
            // A JSON API operation.
            7..=8 => {
                let (method, template, schema, secured) = rng.pick(&ops).clone();
                let body = if method == reqwest::Method::GET {
                    Vec::new()
                } else if rng.chance(85) {
                    serde_json::to_vec(&json_for(&mut rng, &schema, &spec, 0)).unwrap()
                } else {
                    hostile(&mut rng).into_bytes()
                };
                let mut path = fill_template(&mut rng, &template, &ids);
                if method == reqwest::Method::GET && rng.chance(50) {
                    path = format!("{path}?{}", query(&mut rng, &query_keys));
                }
                Attempt {
                    method,
                    path,
                    cookie: None,
                    bearer: (secured || rng.chance(30)).then(|| token.clone()),
                    content_type: Some("application/json"),
                    body,
                }
            }
            // Open311: file or read requests.
            _ => {
                if rng.chance(60) {
                    let mut fields = vec![
                        ("service_code".to_string(), rng.pick(&codes).clone()),
                        ("email".to_string(), "resident@example.org".to_string()),
                        ("description".to_string(), "Speeding on Bay Street".to_string()),
                        ("lat".to_string(), "41.5".to_string()),
                        ("long".to_string(), "-70.6".to_string()),
                        ("address_string".to_string(), "Bay St and 3rd Ave".to_string()),
                        (format!("attribute[{}]", hostile(&mut rng)), hostile(&mut rng)),
                    ];
                    fields = mutate_fields(&mut rng, &fields);
                    Attempt {
                        method: reqwest::Method::POST,
                        path: format!("/open311/v2/requests.{}", rng.pick(&["json", "xml", "txt"])),
                        cookie: None,
                        bearer: None,
                        content_type: Some("application/x-www-form-urlencoded"),
                        body: encode(&fields, &mut rng),
                    }
                } else {
                    let keys: Vec<String> = ["service_request_id", "service_code", "start_date", "end_date", "status"]
                        .map(String::from)
                        .to_vec();
                    let file = rng.pick(&["requests.json", "requests.xml", "services.json", "discovery.json"]);
                    Attempt {
                        method: reqwest::Method::GET,
                        path: format!("/open311/v2/{file}?{}", query(&mut rng, &keys)),
                        cookie: None,
                        bearer: None,
                        content_type: None,
                        body: Vec::new(),
                    }
                }
            }
        };
        if let Err(why) = send(&app, &client, &attempt).await {
            panic!(
                "{} {} (seed {seed}, request {sent}, session: {}): {why}\nbody: {}",
                attempt.method,
                attempt.path,
                attempt.cookie.is_some(),
                String::from_utf8_lossy(&attempt.body)
                    .chars()
                    .take(600)
                    .collect::<String>()
            );
        }
        sent += 1;
    }
    println!(
        "fuzz ({backend:?}): {sent} hostile requests over {} pages, {} forms, {} API operations; seed {seed}",
        surface.pages.len(),
        surface.forms.len(),
        ops.len()
    );
    assert!(sent > 50, "the run sent enough requests to mean something ({sent})");

    // Still healthy and consistent: no class holds more seats than it has.
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    for c in app.get_json("/api/v1/classes").await["classes"].as_array().unwrap() {
        let id = c["id"].as_i64().unwrap();
        let class = app
            .store
            .class(precinct::domain::ClassId::new(id))
            .await
            .unwrap()
            .unwrap();
        assert!(
            class.seats_taken <= class.capacity,
            "class {id} holds {} of {} seats",
            class.seats_taken,
            class.capacity
        );
    }
}

on_both_backends!(hostile_input_never_breaks_the_service);
