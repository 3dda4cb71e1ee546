//! Open311 GeoReport v2 conformance, written from the specification: every endpoint in
//! JSON and XML, the standard filters, keys and anonymous limits, and the error format
//! (a list of `{code, description}` with a 4xx status).

use std::collections::HashSet;

use serde_json::Value;

use crate::helpers::{Backend, Options, TestApp, spawn_app_with};
use crate::on_both_backends;

async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        Options {
            demo: true,
            ..Default::default()
        },
    )
    .await
}

async fn json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{path}"
    );
    (status, res.json().await.unwrap())
}

/// The XML document at `path`, as (status, text), checked to be well-formed.
async fn xml(app: &TestApp, path: &str) -> (u16, String) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    assert!(
        res.headers()["content-type"].to_str().unwrap().starts_with("text/xml"),
        "{path}"
    );
    let text = res.text().await.unwrap();
    roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{path}: not well-formed XML: {e}\n{text}"));
    (status, text)
}

/// Text of every `name` element that is a child of an element `parent`.
fn xml_values(text: &str, parent: &str, name: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(text).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name(parent))
        .flat_map(|p| {
            p.children()
                .filter(|c| c.has_tag_name(name))
                .map(|c| c.text().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn assert_errors(body: &Value, code: u16) {
    let list = body.as_array().expect("errors are a list");
    assert!(!list.is_empty());
    for e in list {
        assert_eq!(e["code"], code);
        assert!(e["description"].as_str().is_some_and(|d| !d.is_empty()), "{e}");
    }
}

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

const TRAFFIC: &[(&str, &str)] = &[
    ("service_code", "traffic_enforcement"),
    ("address_string", "Ocean Ave and 5th St"),
    ("lat", "36.9741"),
    ("long", "-122.0308"),
    ("email", "resident@example.org"),
    ("first_name", "Ana"),
    ("description", "Cars race here after ten at night."),
    ("attribute[street]", "Ocean Avenue"),
    ("attribute[cross_street]", "5th Street"),
    ("attribute[times]", "night"),
    ("attribute[times]", "weekend"),
    ("attribute[problem]", "racing"),
];

async fn discovery_and_services_in_both_formats(backend: Backend) {
    let app = spawn(backend).await;
    let (status, d) = json(&app, "/open311/v2/discovery.json").await;
    assert_eq!(status, 200);
    let endpoint = &d["endpoints"][0];
    assert_eq!(endpoint["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert!(endpoint["url"].as_str().unwrap().ends_with("/open311/v2"));
    assert_eq!(endpoint["formats"], serde_json::json!(["application/json", "text/xml"]));
    assert!(d["contact"].as_str().unwrap().contains("Harbor Point"));
    let (_, text) = xml(&app, "/open311/v2/discovery.xml").await;
    assert_eq!(xml_values(&text, "formats", "format"), ["application/json", "text/xml"]);

    let (status, services) = json(&app, "/open311/v2/services.json").await;
    assert_eq!(status, 200);
    let services = services.as_array().unwrap();
    let codes: HashSet<&str> = services.iter().map(|s| s["service_code"].as_str().unwrap()).collect();
    for code in [
        "presentation",
        "traffic_enforcement",
        "neighborhood_watch",
        "ride_along",
        "question",
    ] {
        assert!(codes.contains(code), "{code}");
    }
    for s in services {
        for field in [
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        ] {
            assert!(s.get(field).is_some(), "{field} in {s}");
        }
        assert_eq!(s["type"], "realtime");
    }
    let question = services.iter().find(|s| s["service_code"] == "question").unwrap();
    assert_eq!(question["metadata"], false, "no questions, no definition needed");
    let (_, text) = xml(&app, "/open311/v2/services.xml").await;
    let xml_codes: HashSet<String> = xml_values(&text, "service", "service_code").into_iter().collect();
    assert_eq!(xml_codes.len(), codes.len());

    let (status, def) = json(&app, "/open311/v2/services/traffic_enforcement.json").await;
    assert_eq!(status, 200);
    assert_eq!(def["service_code"], "traffic_enforcement");
    let attributes = def["attributes"].as_array().unwrap();
    let times = attributes.iter().find(|a| a["code"] == "times").unwrap();
    assert_eq!(times["datatype"], "multivaluelist");
    assert_eq!(times["required"], true);
    assert_eq!(times["variable"], true);
    assert!(
        times["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["key"] == "night" && v["name"] == "Night")
    );
    let orders: Vec<i64> = attributes.iter().map(|a| a["order"].as_i64().unwrap()).collect();
    assert_eq!(orders, (1..=attributes.len() as i64).collect::<Vec<_>>());
    let (_, text) = xml(&app, "/open311/v2/services/traffic_enforcement.xml").await;
    assert!(xml_values(&text, "attribute", "code").contains(&"times".to_string()));
    assert!(xml_values(&text, "value", "key").contains(&"night".to_string()));

    let (status, e) = json(&app, "/open311/v2/services/parking.json").await;
    assert_eq!(status, 404);
    assert_errors(&e, 404);
    let (status, text) = xml(&app, "/open311/v2/services/parking.xml").await;
    assert_eq!(status, 404);
    assert_eq!(xml_values(&text, "error", "code"), ["404"]);
    let (status, e) = json(&app, "/open311/v2/services.yaml").await;
    assert_eq!(status, 404);
    assert_errors(&e, 404);
}

async fn apps_file_and_follow_requests(backend: Backend) {
    let app = spawn(backend).await;
    let key = "city-app-key-for-tests-0123456789";
    assert!(
        app.store
            .insert_open311_key("City App", &precinct::auth::tokens::hash(key), jiff::Timestamp::now())
            .await
            .unwrap()
    );
    let mut form = TRAFFIC.to_vec();
    form.push(("api_key", key));
    let (status, body) = post(&app, "/open311/v2/requests.json", &form).await;
    assert_eq!(status, 200, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    let id = created[0]["service_request_id"].as_str().unwrap().to_string();
    let token = created[0]["token"].as_str().unwrap().to_string();
    assert!(created[0]["service_notice"].as_str().unwrap().contains("911"));
    // The requester is emailed a private link, as from the website.
    let mail = app.mailbox("resident@example.org").await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].body_text.contains("/requests/follow/"));

    // The same request, read back in both formats.
    let (status, one) = json(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(status, 200);
    let r = &one[0];
    assert_eq!(r["service_request_id"], id);
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "traffic_enforcement");
    assert_eq!(r["service_name"], "Traffic enforcement at a location");
    assert_eq!(r["agency_responsible"], "Harbor Point Police Department");
    assert_eq!(r["address"], "Ocean Ave and 5th St");
    assert_eq!(r["lat"], 36.9741);
    assert_eq!(r["long"], -122.0308);
    assert!(
        r["requested_datetime"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok()
    );
    assert!(
        r["updated_datetime"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok()
    );
    for private in ["email", "first_name", "last_name", "phone", "description"] {
        assert!(r.get(private).is_none(), "{private} is not published");
    }
    let (_, text) = xml(&app, &format!("/open311/v2/requests/{id}.xml")).await;
    assert_eq!(
        xml_values(&text, "request", "service_request_id"),
        std::slice::from_ref(&id)
    );
    assert!(!text.contains("resident@example.org"));

    let (status, t) = json(&app, &format!("/open311/v2/tokens/{token}.json")).await;
    assert_eq!(status, 200);
    assert_eq!(t[0]["service_request_id"], id);
    let (status, text) = xml(&app, &format!("/open311/v2/tokens/{token}.xml")).await;
    assert_eq!(status, 200);
    assert_eq!(
        xml_values(&text, "request", "service_request_id"),
        std::slice::from_ref(&id)
    );
    let (status, e) = json(&app, "/open311/v2/tokens/unknown.json").await;
    assert_eq!(status, 404);
    assert_errors(&e, 404);
    let (status, e) = json(&app, "/open311/v2/requests/999999.json").await;
    assert_eq!(status, 404);
    assert_errors(&e, 404);

    // Anonymous filing in XML, then the list with its filters.
    let question = [
        ("service_code", "question"),
        ("email", "asker@example.org"),
        ("description", "How do I join the academy?"),
    ];
    let (status, text) = post(&app, "/open311/v2/requests.xml", &question).await;
    assert_eq!(status, 200, "{text}");
    let question_id = xml_values(&text, "request", "service_request_id").pop().unwrap();

    let (_, all) = json(&app, "/open311/v2/requests.json").await;
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [question_id.as_str(), id.as_str()],
        "newest first, the last 90 days"
    );
    let (_, traffic) = json(&app, "/open311/v2/requests.json?service_code=traffic_enforcement").await;
    assert_eq!(traffic.as_array().unwrap().len(), 1);
    let (_, both) = json(
        &app,
        &format!("/open311/v2/requests.json?service_request_id={id},{question_id}"),
    )
    .await;
    assert_eq!(both.as_array().unwrap().len(), 2);
    let (_, closed) = json(&app, "/open311/v2/requests.json?status=closed").await;
    assert!(closed.as_array().unwrap().is_empty());
    let (_, open) = json(&app, "/open311/v2/requests.json?status=open").await;
    assert_eq!(open.as_array().unwrap().len(), 2);
    let (_, future) = json(&app, "/open311/v2/requests.json?start_date=2099-01-01T00:00:00Z").await;
    assert!(future.as_array().unwrap().is_empty());
    let (_, past) = json(
        &app,
        "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2099-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(past.as_array().unwrap().len(), 2);
    let (_, text) = xml(&app, "/open311/v2/requests.xml?status=open").await;
    assert_eq!(xml_values(&text, "request", "status"), ["open", "open"]);

    // Bad filters are 400 with the error list.
    for bad in [
        "/open311/v2/requests.json?start_date=yesterday",
        "/open311/v2/requests.json?status=pending",
        "/open311/v2/requests.json?service_request_id=abc",
        "/open311/v2/requests.json?service_code=parking",
        "/open311/v2/requests.json?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
    ] {
        let (status, e) = json(&app, bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_errors(&e, 400);
    }
}

async fn bad_posts_get_the_error_list(backend: Backend) {
    let app = spawn(backend).await;
    /// A form, the status it gets, and a word its error names.
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("email", "a@example.org")], 400, "service_code"),
        (
            vec![("service_code", "parking"), ("email", "a@example.org")],
            404,
            "parking",
        ),
        (
            vec![
                ("service_code", "question"),
                ("api_key", "nope"),
                ("email", "a@example.org"),
                ("description", "x"),
            ],
            403,
            "api_key",
        ),
        (
            vec![
                ("service_code", "traffic_enforcement"),
                ("email", "a@example.org"),
                ("address_string", "Main St"),
                ("attribute[street]", "Main"),
                ("attribute[times]", "dawn"),
                ("attribute[problem]", "speeding"),
            ],
            400,
            "attribute[times]",
        ),
        (
            vec![
                ("service_code", "question"),
                ("email", "a@example.org"),
                ("description", "x"),
                ("lat", "north"),
            ],
            400,
            "lat",
        ),
    ];
    for (form, code, mentions) in cases {
        let (status, body) = post(&app, "/open311/v2/requests.json", &form).await;
        assert_eq!(status, code, "{form:?}: {body}");
        let e: Value = serde_json::from_str(&body).unwrap();
        assert_errors(&e, code);
        assert!(body.contains(mentions), "{body} names {mentions}");
        let (status, text) = post(&app, "/open311/v2/requests.xml", &form).await;
        assert_eq!(status, code);
        assert_eq!(xml_values(&text, "error", "code"), [code.to_string()]);
    }
    assert!(
        app.get_json("/open311/v2/requests.json")
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was filed"
    );
}

async fn anonymous_filing_is_limited_and_apps_with_keys_are_not(backend: Backend) {
    let app = spawn(backend).await;
    let question = [
        ("service_code", "question"),
        ("email", "asker@example.org"),
        ("description", "When is the next academy?"),
    ];
    // The default budget: 10 an hour per address.
    for n in 0..10 {
        let (status, body) = post(&app, "/open311/v2/requests.json", &question).await;
        assert_eq!(status, 200, "request {n}: {body}");
    }
    let (status, body) = post(&app, "/open311/v2/requests.json", &question).await;
    assert_eq!(status, 429);
    assert_errors(&serde_json::from_str(&body).unwrap(), 429);
    // An app with a key is not held to the anonymous budget.
    app.store
        .insert_open311_key(
            "Civic App",
            &precinct::auth::tokens::hash("civic-key"),
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    let mut keyed = question.to_vec();
    keyed.push(("api_key", "civic-key"));
    let (status, _) = post(&app, "/open311/v2/requests.json", &keyed).await;
    assert_eq!(status, 200);
}

async fn a_department_may_require_a_key(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            demo: true,
            open311_key_required: true,
            ..Default::default()
        },
    )
    .await;
    let question = [
        ("service_code", "question"),
        ("email", "a@example.org"),
        ("description", "Hello?"),
    ];
    let (status, body) = post(&app, "/open311/v2/requests.json", &question).await;
    assert_eq!(status, 403);
    assert!(body.contains("api_key"));
    app.store
        .insert_open311_key(
            "Civic App",
            &precinct::auth::tokens::hash("civic-key"),
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    let mut keyed = question.to_vec();
    keyed.push(("api_key", "civic-key"));
    assert_eq!(post(&app, "/open311/v2/requests.json", &keyed).await.0, 200);
    let filed = app.store.requests(&Default::default()).await.unwrap();
    assert_eq!(
        filed[0].api_client.as_deref(),
        Some("Civic App"),
        "staff see which app filed it"
    );
}

on_both_backends!(
    a_department_may_require_a_key,
    discovery_and_services_in_both_formats,
    apps_file_and_follow_requests,
    bad_posts_get_the_error_list,
    anonymous_filing_is_limited_and_apps_with_keys_are_not,
);
