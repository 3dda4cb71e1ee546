//! Hostile input over real HTTP: every form the site shows (to a resident and to an
//! administrator), every page's query string and path ids, every JSON API operation in
//! the OpenAPI document and the Open311 endpoints get mutated submissions. The service
//! must answer each with a page or a problem, never a 5xx, never reflect markup
//! unescaped; and after every request it accepted (2xx or 3xx) every invariant must
//! still hold (see [`Invariants`]), so a failure names the request that broke it.
//!
//! A run is a seed and a number of requests, not a span of time, so a seed replays
//! exactly. Request `i` draws every choice from its own stream of the generator
//! (`Rng::for_request(seed, i)`), in code order, and picks what it sends from the
//! crawled site by what each thing is (a form by its route and fields, see [`Keyed`]),
//! not by position. Nothing that is sent depends on an answer, on timing, on hash-map
//! order or on a random value: the session, the API token and the forms' `form_token`
//! are placeholders in the sequence, filled in when sending. So a seed sends the same
//! sequence on every machine and on both backends (the summary line prints a hash of
//! it), and a page that gains a form changes only the requests that would pick it. The
//! demo's dates follow today, and so do the dates some forms show: on another day a
//! replay sends those values as that day's pages show them.
//!
//! - `PRECINCT_FUZZ_REQUESTS` (default [`DEFAULT_REQUESTS`]) sets the length of the
//!   random run; `PRECINCT_FUZZ_SEED` replays one seed instead of a fresh one. A
//!   failure prints both for its exact replay.
//! - `tests/it/fuzz_seeds.txt` lists seeds that found bugs; every test run replays
//!   each of them (`the_seed_corpus_still_passes`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use precinct::domain::ClassStatus;

use crate::helpers::{Backend, Options, TestApp, spawn_app_with};
use crate::on_both_backends;

/// Markup planted in values; it must never come back unescaped in HTML.
const MARKER: &str = "<x-fuzz onload=alert(1)>";

/// A small, seedable generator (xorshift64*), so a failing run can be replayed.
struct Rng(u64);

/// SplitMix64's finalizer: spreads the bits of `z`.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a: a hash that is the same on every build and machine, unlike `std`'s.
fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

impl Rng {
    /// The generator of request `index` of a run. Each request draws from its own
    /// stream, so a request that draws more or less (a form with one more field) does
    /// not change every request after it.
    fn for_request(seed: u64, index: usize) -> Rng {
        Rng(mix(seed ^ mix(index as u64 + 1)) | 1)
    }

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

/// Items the crawl or the service supplied, each known by a key that says what it is
/// (a form by its route shape and fields, an id by its number). Picks go by rendezvous
/// hashing on the keys, not by position: a page that gains or loses a form changes only
/// the picks that form wins or would have won, so a recorded seed keeps sending what
/// it sent before for everything else.
struct Keyed<T> {
    items: Vec<T>,
    keys: Vec<u64>,
}

impl<T> Keyed<T> {
    /// Keys are `key(item)`, with `#n` added to the `n`th repeat of a key.
    fn new(items: Vec<T>, key: impl Fn(&T) -> String) -> Keyed<T> {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let keys = items
            .iter()
            .map(|item| {
                let k = key(item);
                let n = seen.entry(k.clone()).or_insert(0);
                *n += 1;
                fnv(format!("{k}#{n}").as_bytes(), FNV_START)
            })
            .collect();
        Keyed { items, keys }
    }

    fn pick(&self, rng: &mut Rng) -> &T {
        let draw = rng.next();
        let best = (0..self.keys.len())
            .max_by_key(|&i| mix(draw ^ self.keys[i]))
            .expect("something to pick from");
        &self.items[best]
    }

    fn len(&self) -> usize {
        self.items.len()
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

/// What the crawl found; `true` marks what the administrator sees (sent with their
/// session), so the sequence does not carry the session's random id.
struct Surface {
    pages: Vec<(bool, String)>,
    forms: Vec<(bool, FormShape)>,
    /// Values the service issued at random (see [`ISSUED_FIELDS`]); the forms hold
    /// [`issued_placeholder`]s in their place, swapped back when sending.
    issued: Vec<String>,
}

/// Hidden fields whose value the service makes up for each page (the application
/// forms' double-submit token). The fuzzer echoes them, but the sequence holds a
/// placeholder, so it is the same from one run to the next.
const ISSUED_FIELDS: &[&str] = &["form_token"];

/// Stands for the `n`th issued value; letters and digits only, so encoding keeps it.
fn issued_placeholder(n: usize) -> String {
    format!("FuzzIssuedValue{n}X")
}

/// `bytes` with every `from` replaced by `to`.
fn replace_bytes(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Pages of one route shape (ids as `9`) the crawl reads. The first shows the shape's
/// forms and links, but pages of a shape differ with the state of what they show (an
/// open class has a capacity form, a completed one does not), so after the
/// breadth-first pass a few more of each are read for the forms the first lacked.
const PAGES_PER_SHAPE: usize = 3;

/// A route shape: the path with every digit as `9`.
fn shape(path: &str) -> String {
    path.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect()
}

/// Reads one page for the crawl: its HTML.
async fn fetch_page(app: &TestApp, cookie: Option<&str>, path: &str) -> String {
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(c) = cookie {
        req = req.header(reqwest::header::COOKIE, c);
    }
    let res = req.send().await.expect("crawl request");
    let status = res.status().as_u16();
    assert!(status < 500, "GET {path} answered {status} before fuzzing");
    res.text().await.unwrap_or_default()
}

/// Adds a page's forms; with `signatures`, only forms of a kind not seen yet.
fn add_forms(
    html: &str,
    path: &str,
    cookie: Option<&str>,
    signatures: &mut BTreeSet<String>,
    only_new: bool,
    surface: &mut Surface,
) {
    for mut f in forms(html, path) {
        let fields: Vec<&str> = f.fields.iter().map(|(k, _)| k.as_str()).collect();
        let signature = format!("{} {} {fields:?}", f.method, shape(&f.action));
        if skipped(&f.action) || (!signatures.insert(signature) && only_new) {
            continue;
        }
        for (name, value) in &mut f.fields {
            if ISSUED_FIELDS.contains(&name.as_str()) && !value.is_empty() {
                let placeholder = issued_placeholder(surface.issued.len());
                surface.issued.push(std::mem::replace(value, placeholder));
            }
        }
        surface.forms.push((cookie.is_some(), f));
    }
}

/// Breadth-first over the site as `cookie`'s holder, one page per route shape up to
/// `limit` pages, then up to `limit` more pages of shapes already seen, for their forms.
async fn crawl(app: &TestApp, cookie: Option<&str>, start: &[&str], limit: usize, surface: &mut Surface) {
    let mut queue: VecDeque<String> = start.iter().map(|s| s.to_string()).collect();
    let mut shapes: BTreeSet<String> = start.iter().map(|s| shape(s)).collect();
    let mut others: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut signatures = BTreeSet::new();
    let mut visited = 0;
    while let Some(path) = queue.pop_front() {
        if visited >= limit {
            break;
        }
        visited += 1;
        let html = fetch_page(app, cookie, &path).await;
        surface.pages.push((cookie.is_some(), path.clone()));
        add_forms(&html, &path, cookie, &mut signatures, false, surface);
        for link in links(&html) {
            if skipped(&link) || start.contains(&link.as_str()) {
                continue;
            }
            if shapes.insert(shape(&link)) {
                queue.push_back(link);
            } else {
                let more = others.entry(shape(&link)).or_default();
                if more.len() < PAGES_PER_SHAPE - 1
                    && !more.contains(&link)
                    && !surface.pages.iter().any(|(_, p)| *p == link)
                    && !queue.contains(&link)
                {
                    more.push(link);
                }
            }
        }
    }
    // In the order the shapes were first met, so the surface is the same each time.
    let order: Vec<String> = surface.pages.iter().map(|(_, p)| shape(p)).collect();
    let mut extra = 0;
    for s in order {
        for path in others.remove(&s).unwrap_or_default() {
            if extra >= limit {
                return;
            }
            extra += 1;
            let html = fetch_page(app, cookie, &path).await;
            add_forms(&html, &path, cookie, &mut signatures, true, surface);
        }
    }
}

/// One request to send, described for the failure message. Credentials are flags; the
/// session and token themselves are added when sending.
struct Attempt {
    method: reqwest::Method,
    path: String,
    as_admin: bool,
    with_token: bool,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

impl Attempt {
    /// Feeds the request into the run's hash of its sequence.
    fn hash_into(&self, h: &mut u64) {
        let flags = [u8::from(self.as_admin), u8::from(self.with_token)];
        let parts: [&[u8]; 5] = [
            self.method.as_str().as_bytes(),
            self.path.as_bytes(),
            self.content_type.unwrap_or("").as_bytes(),
            &flags,
            &self.body,
        ];
        for part in parts {
            *h = fnv(&[0xff], fnv(part, *h));
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} {}{}{}\nbody: {}",
            self.method,
            self.path.chars().take(600).collect::<String>(),
            if self.as_admin { " (admin session)" } else { "" },
            if self.with_token { " (admin token)" } else { "" },
            String::from_utf8_lossy(&self.body)
                .chars()
                .take(600)
                .collect::<String>()
        )
    }
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

/// A whole number next to the one a field shows (0, 1, one less or more, half, double,
/// negated): the values a limit gets wrong, such as a capacity below the seats taken.
/// `None` when the field does not show a whole number.
fn near(rng: &mut Rng, value: &str) -> Option<String> {
    let n: i64 = value.trim().parse().ok()?;
    let edges = [
        0,
        1,
        n.saturating_sub(1),
        n.saturating_add(1),
        n / 2,
        n.saturating_mul(2),
        n.saturating_neg(),
    ];
    Some(rng.pick(&edges).to_string())
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
            6..=7 => {
                let v = near(rng, value).unwrap_or_else(|| hostile(rng));
                out.push((name.clone(), v));
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

fn query(rng: &mut Rng, keys: &Keyed<String>) -> String {
    (0..1 + rng.below(4))
        .map(|_| {
            let key = if keys.len() == 0 || rng.chance(20) {
                hostile(rng)
            } else {
                keys.pick(rng).clone()
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

fn fill_template(rng: &mut Rng, template: &str, ids: &Keyed<i64>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        if rng.chance(75) {
            out.push_str(&ids.pick(rng).to_string());
        } else {
            out.push_str(&percent(&hostile(rng)));
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// Sends one request and checks the answer on its own; returns its status.
async fn send(target: &Target<'_>, a: &Attempt) -> Result<u16, String> {
    // No HTTP library sends a URI of 64 KiB or more (the `http` crate refuses it before it
    // leaves the client), so a long generated path or query is cut just under that.
    let mut path: String = a.path.chars().take(60_000).collect();
    let mut body = a.body.clone();
    for (n, value) in target.issued.iter().enumerate() {
        let placeholder = issued_placeholder(n);
        path = path.replace(&placeholder, value);
        body = replace_bytes(&body, placeholder.as_bytes(), value.as_bytes());
    }
    let mut req = target
        .client
        .request(a.method.clone(), format!("{}{path}", target.app.address));
    if a.as_admin {
        req = req.header(reqwest::header::COOKIE, target.admin);
    }
    if a.with_token {
        req = req.bearer_auth(target.token);
    }
    if let Some(ct) = a.content_type {
        req = req.header(reqwest::header::CONTENT_TYPE, ct);
    }
    if !body.is_empty() {
        req = req.body(body);
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
    Ok(status)
}

/// Requests in a random run when `PRECINCT_FUZZ_REQUESTS` is not set. With the corpus
/// replay, the fuzz tests take about what the earlier fifteen-second runs took: in a
/// debug build on a 2-core machine, sending takes 7-9 s on SQLite and 8-13 s on
/// PostgreSQL, invariant checks included, depending on what else runs.
const DEFAULT_REQUESTS: usize = 2500;

/// Seeds that found bugs, replayed by every test run; see the file's header.
const CORPUS: &str = include_str!("fuzz_seeds.txt");

/// `(seed, requests)` of each corpus line (`seed requests  # what it found`).
fn corpus() -> Vec<(u64, usize)> {
    CORPUS
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut words = l.split_whitespace();
            let mut next = || words.next().and_then(|w| w.parse().ok());
            let seed = next().unwrap_or_else(|| panic!("fuzz_seeds.txt: no seed in {l:?}"));
            let requests = next().unwrap_or_else(|| panic!("fuzz_seeds.txt: no request count in {l:?}"));
            (seed, requests as usize)
        })
        .collect()
}

fn requests() -> usize {
    std::env::var("PRECINCT_FUZZ_REQUESTS")
        .ok()
        .map(|s| s.parse().expect("PRECINCT_FUZZ_REQUESTS is a number of requests"))
        .unwrap_or(DEFAULT_REQUESTS)
}

/// The seed to replay, or a fresh one (printed with the run).
fn seed() -> u64 {
    std::env::var("PRECINCT_FUZZ_SEED")
        .ok()
        .map(|s| s.parse().expect("PRECINCT_FUZZ_SEED is a number"))
        .unwrap_or_else(|| {
            let bytes = precinct::auth::tokens::random_bytes();
            u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes"))
        })
}

/// Where requests go and the credentials behind [`Attempt`]'s flags.
struct Target<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    admin: &'a str,
    token: &'a str,
    issued: &'a [String],
}

/// What the generator draws from: the crawled site, the API and ids that exist.
struct Plan {
    pages: Keyed<(bool, String)>,
    forms: Keyed<(bool, FormShape)>,
    /// See [`Surface::issued`].
    issued: Vec<String>,
    query_keys: Keyed<String>,
    spec: serde_json::Value,
    ops: Keyed<(reqwest::Method, String, serde_json::Value, bool)>,
    ids: Keyed<i64>,
    codes: Keyed<String>,
}

/// Crawls the site and reads what the generator draws from. Everything here is read in a
/// fixed order (pages breadth-first in document order, classes by id), so two fresh
/// services give the same plan.
async fn plan(app: &TestApp, admin: &str) -> Plan {
    let mut surface = Surface {
        pages: Vec::new(),
        forms: Vec::new(),
        issued: Vec::new(),
    };
    crawl(
        app,
        None,
        &["/", "/programs", "/requests/new", "/my", "/staff/sign-in"],
        60,
        &mut surface,
    )
    .await;
    crawl(app, Some(admin), &["/staff"], 120, &mut surface).await;
    let posts = surface.forms.iter().filter(|(_, f)| f.method == "POST").count();
    assert!(posts >= 20, "the crawl found the site's forms ({posts} POST forms)");
    let query_keys: BTreeSet<String> = surface
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
    let fields = |f: &FormShape| f.fields.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>().join(",");
    Plan {
        pages: Keyed::new(surface.pages, |(admin, p)| format!("{admin} {}", shape(p))),
        forms: Keyed::new(surface.forms, |(admin, f)| {
            format!("{admin} {} {} {}", f.method, shape(&f.action), fields(f))
        }),
        issued: surface.issued,
        query_keys: Keyed::new(query_keys.into_iter().collect(), String::clone),
        spec,
        ops: Keyed::new(ops, |(m, path, _, _)| format!("{m} {path}")),
        ids: Keyed::new(ids, i64::to_string),
        codes: Keyed::new(codes, String::clone),
    }
}

/// The next request: every choice from `rng`, in code order, from `plan` alone.
fn next_attempt(rng: &mut Rng, plan: &Plan) -> Attempt {
    let query_keys = &plan.query_keys;
    match rng.below(10) {
        // A form of the site, mutated.
        0..=4 => {
            let (as_admin, form) = plan.forms.pick(rng).clone();
            let fields = mutate_fields(rng, &form.fields);
            let path = if rng.chance(20) {
                mutate_path(rng, &form.action)
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
                    as_admin,
                    with_token: false,
                    content_type,
                    body: encode(&fields, rng),
                }
            } else {
                let q = String::from_utf8(encode(&fields, rng)).unwrap_or_default();
                Attempt {
                    method: reqwest::Method::GET,
                    path: format!("{}?{q}", path.split('?').next().unwrap_or("/")),
                    as_admin,
                    with_token: false,
                    content_type: None,
                    body: Vec::new(),
                }
            }
        }
        // A page with a hostile query string or path id.
        5..=6 => {
            let (as_admin, page) = plan.pages.pick(rng).clone();
            let path = mutate_path(rng, &page);
            let sep = if path.contains('?') { '&' } else { '?' };
            Attempt {
                method: reqwest::Method::GET,
                path: format!("{path}{sep}{}", query(rng, query_keys)),
                as_admin,
                with_token: false,
                content_type: None,
                body: Vec::new(),
            }
        }
        // A JSON API operation.
        7..=8 => {
            let (method, template, schema, secured) = plan.ops.pick(rng).clone();
            let body = if method == reqwest::Method::GET {
                Vec::new()
            } else if rng.chance(85) {
                serde_json::to_vec(&json_for(rng, &schema, &plan.spec, 0)).unwrap()
            } else {
                hostile(rng).into_bytes()
            };
            let mut path = fill_template(rng, &template, &plan.ids);
            if method == reqwest::Method::GET && rng.chance(50) {
                path = format!("{path}?{}", query(rng, query_keys));
            }
            Attempt {
                method,
                path,
                as_admin: false,
                with_token: secured || rng.chance(30),
                content_type: Some("application/json"),
                body,
            }
        }
        // Open311: file or read requests.
        _ => {
            if rng.chance(60) {
                let mut fields = vec![
                    ("service_code".to_string(), plan.codes.pick(rng).clone()),
                    ("email".to_string(), "resident@example.org".to_string()),
                    ("description".to_string(), "Speeding on Bay Street".to_string()),
                    ("lat".to_string(), "41.5".to_string()),
                    ("long".to_string(), "-70.6".to_string()),
                    ("address_string".to_string(), "Bay St and 3rd Ave".to_string()),
                    (format!("attribute[{}]", hostile(rng)), hostile(rng)),
                ];
                fields = mutate_fields(rng, &fields);
                Attempt {
                    method: reqwest::Method::POST,
                    path: format!("/open311/v2/requests.{}", rng.pick(&["json", "xml", "txt"])),
                    as_admin: false,
                    with_token: false,
                    content_type: Some("application/x-www-form-urlencoded"),
                    body: encode(&fields, rng),
                }
            } else {
                let keys = Keyed::new(
                    ["service_request_id", "service_code", "start_date", "end_date", "status"]
                        .map(String::from)
                        .to_vec(),
                    String::clone,
                );
                let file = rng.pick(&["requests.json", "requests.xml", "services.json", "discovery.json"]);
                Attempt {
                    method: reqwest::Method::GET,
                    path: format!("/open311/v2/{file}?{}", query(rng, &keys)),
                    as_admin: false,
                    with_token: false,
                    content_type: None,
                    body: Vec::new(),
                }
            }
        }
    }
}

/// What must hold after every request the service accepted, read from the database:
/// the service answers its health check; no class holds more seats than it has; a
/// completed or cancelled class's capacity never changes.
#[derive(Default)]
struct Invariants {
    /// Capacity of each finished class when first seen finished.
    finished: BTreeMap<i64, i64>,
}

impl Invariants {
    async fn check(&mut self, app: &TestApp) -> Result<(), String> {
        let health = app.get("/healthz").await.status().as_u16();
        if health != 200 {
            return Err(format!("the health check answered {health}"));
        }
        let classes = app
            .store
            .all_classes()
            .await
            .map_err(|e| format!("reading classes: {e}"))?;
        for c in classes {
            let id = c.id.get();
            if c.seats_taken > c.capacity {
                return Err(format!("class {id} holds {} of {} seats", c.seats_taken, c.capacity));
            }
            if matches!(c.status, ClassStatus::Completed | ClassStatus::Cancelled) {
                let first = *self.finished.entry(id).or_insert(c.capacity);
                if first != c.capacity {
                    return Err(format!(
                        "class {id} is {} and its capacity changed from {first} to {}",
                        c.status.code(),
                        c.capacity
                    ));
                }
            }
        }
        Ok(())
    }
}

/// What a run sent, for its summary line.
struct Run {
    accepted: usize,
    sequence: u64,
    plan_size: (usize, usize, usize),
    /// Starting the service and crawling it, then sending and checking.
    setup_seconds: f64,
    send_seconds: f64,
}

/// Sends `requests` requests drawn from `seed` at a fresh demo service, checking every
/// answer and, after each accepted request, every invariant.
async fn run(backend: Backend, seed: u64, requests: usize) -> Run {
    // First, so the seed is known whatever happens.
    println!("fuzz ({backend:?}): seed {seed}, {requests} requests");
    let started = Instant::now();
    let app = spawn_app_with(
        backend,
        Options {
            demo: true,
            ..Default::default()
        },
    )
    .await;
    let admin = crate::actors::session(&app, crate::actors::ADMIN).await;
    let token = {
        let t = precinct::auth::tokens::generate();
        app.store
            .insert_api_token(
                "fuzz",
                precinct::domain::Role::Admin,
                &precinct::auth::tokens::hash(&t),
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();
        t
    };
    let plan = plan(&app, &admin).await;
    let sending = Instant::now();
    let target = Target {
        app: &app,
        // A fresh connection per request: a server may close a connection after
        // answering without reading a refused body, and reusing it would race that close.
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
        admin: &admin,
        token: &token,
        issued: &plan.issued,
    };
    let mut invariants = Invariants::default();
    if let Err(why) = invariants.check(&app).await {
        panic!("before fuzzing: {why}");
    }
    let mut sequence = FNV_START;
    let mut accepted = 0;
    for i in 0..requests {
        let attempt = next_attempt(&mut Rng::for_request(seed, i), &plan);
        attempt.hash_into(&mut sequence);
        let checked = match send(&target, &attempt).await {
            Ok(status) if status < 400 => {
                accepted += 1;
                invariants.check(&app).await
            }
            Ok(_) => Ok(()),
            Err(why) => Err(why),
        };
        if let Err(why) = checked {
            panic!(
                "{backend:?}, seed {seed}, request {i}: {why}\n{}\nreplay: PRECINCT_FUZZ_SEED={seed} \
                 PRECINCT_FUZZ_REQUESTS={} cargo test --test it fuzz::{}::hostile_input_never_breaks_the_service",
                attempt.describe(),
                i + 1,
                format!("{backend:?}").to_lowercase()
            );
        }
    }
    // Refused requests are not followed by a check; one that changed something before
    // it failed shows here.
    if let Err(why) = invariants.check(&app).await {
        panic!("{backend:?}, seed {seed}, after all {requests} requests: {why}");
    }
    Run {
        accepted,
        sequence,
        plan_size: (plan.pages.len(), plan.forms.len(), plan.ops.len()),
        setup_seconds: (sending - started).as_secs_f64(),
        send_seconds: sending.elapsed().as_secs_f64(),
    }
}

fn summary(backend: Backend, seed: u64, requests: usize, run: &Run) -> String {
    let (pages, forms, ops) = run.plan_size;
    format!(
        "fuzz ({backend:?}): seed {seed}, {requests} requests (sequence {:016x}), {} accepted and \
         followed by invariant checks; {pages} pages, {forms} forms, {ops} API operations; \
         {:.1} s to start and crawl, {:.1} s to send",
        run.sequence, run.accepted, run.setup_seconds, run.send_seconds
    )
}

/// A fresh seed (or `PRECINCT_FUZZ_SEED`) for `PRECINCT_FUZZ_REQUESTS` requests.
async fn hostile_input_never_breaks_the_service(backend: Backend) {
    let (seed, requests) = (seed(), requests());
    let run = run(backend, seed, requests).await;
    println!("{}", summary(backend, seed, requests, &run));
}

/// Every seed that once found a bug, replayed as far as the request that found it.
async fn the_seed_corpus_still_passes(backend: Backend) {
    let seeds = corpus();
    assert!(!seeds.is_empty(), "fuzz_seeds.txt lists seeds");
    for (seed, requests) in seeds {
        let run = run(backend, seed, requests).await;
        println!("corpus {}", summary(backend, seed, requests, &run));
    }
}

on_both_backends!(hostile_input_never_breaks_the_service, the_seed_corpus_still_passes);
