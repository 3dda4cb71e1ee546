//! Applying to a class over the JSON API: rules, seats, waitlist, idempotency.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};
use precinct::demo::{ScenarioClass, scenario_class};
use precinct::domain::{ClassId, ClassStatus};
use serde_json::{Value, json};

use crate::helpers::{Backend, Options, TestApp, spawn_app_with};
use crate::on_both_backends;

/// A class settings for tests.
pub struct ClassSpec {
    pub capacity: i64,
    pub status: ClassStatus,
    pub review: bool,
    pub lottery: bool,
    pub closes_in_hours: i64,
    /// Weeks to the first session; negative for a class whose sessions were held.
    pub starts_in_weeks: i64,
}

impl Default for ClassSpec {
    fn default() -> Self {
        ClassSpec {
            capacity: 30,
            status: ClassStatus::Open,
            review: false,
            lottery: false,
            closes_in_hours: 24 * 7,
            starts_in_weeks: 3,
        }
    }
}

/// Spawns the demo app with rate limits off (tests send bursts from one address).
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(
        backend,
        Options {
            demo: true,
            rate_limit: None,
            ..Default::default()
        },
    )
    .await
}

/// Creates a program and a class open for registration (see `demo::scenario_class`).
pub async fn open_class(app: &TestApp, spec: ClassSpec) -> ClassId {
    let scenario = ScenarioClass {
        capacity: spec.capacity,
        status: spec.status,
        staff_review: spec.review,
        lottery: spec.lottery,
        closes_in: SignedDuration::from_hours(spec.closes_in_hours),
        starts_in_weeks: spec.starts_in_weeks,
    };
    scenario_class(&app.store, &scenario, Timestamp::now()).await.unwrap()
}

/// Weeks back to the first session of a class whose twelve weekly sessions were all held.
pub const HELD: i64 = -13;

/// A distinct, eligible applicant.
pub fn applicant(n: usize) -> Value {
    json!({
        "first_name": format!("Person{n}"),
        "last_name": "Tester",
        "email": format!("person{n}@example.org"),
        "phone": "(555) 010-1234",
        "date_of_birth": "1985-04-23",
        "city": "Harbor Point",
        "affiliation": {"kind": "resides"},
        "emergency_contact": {"name": "Kin Tester", "phone": "555-010-9999"},
        "waiver_accepted": true
    })
}

/// POSTs an application, returning status and JSON body.
pub async fn apply(app: &TestApp, class: ClassId, body: &Value, key: Option<&str>) -> (u16, Value) {
    let mut req = app
        .client
        .post(format!("{}/api/v1/classes/{class}/registrations", app.address))
        .json(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn burst(apps: &[&TestApp], class: ClassId, total: usize) -> Vec<(u16, Value)> {
    let mut handles = Vec::new();
    for n in 0..total {
        let app = apps[n % apps.len()];
        let client = app.client.clone();
        let url = format!("{}/api/v1/classes/{class}/registrations", app.address);
        handles.push(tokio::spawn(async move {
            let res = client.post(url).json(&applicant(n)).send().await.expect("request");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

fn check_no_overselling(results: &[(u16, Value)], capacity: usize) {
    let total = results.len();
    assert!(
        results.iter().all(|(s, _)| *s == 201),
        "every application accepted: {:?}",
        results.iter().find(|(s, _)| *s != 201)
    );
    let confirmed: Vec<&Value> = results
        .iter()
        .map(|(_, b)| b)
        .filter(|b| b["status"] == "confirmed")
        .collect();
    let waitlisted: Vec<&Value> = results
        .iter()
        .map(|(_, b)| b)
        .filter(|b| b["status"] == "waitlisted")
        .collect();
    assert_eq!(confirmed.len(), capacity);
    assert_eq!(waitlisted.len(), total - capacity);
    let mut positions: Vec<i64> = waitlisted
        .iter()
        .map(|b| b["waitlist_position"].as_i64().unwrap())
        .collect();
    positions.sort_unstable();
    assert_eq!(
        positions,
        (1..=(total - capacity) as i64).collect::<Vec<_>>(),
        "positions 1..n, each once"
    );
    // Arrival order: every confirmed application arrived before every waitlisted one,
    // and the waitlist runs in arrival (id) order.
    let max_confirmed = confirmed.iter().map(|b| b["id"].as_i64().unwrap()).max().unwrap();
    let min_waitlisted = waitlisted.iter().map(|b| b["id"].as_i64().unwrap()).min().unwrap();
    assert!(max_confirmed < min_waitlisted);
    let mut by_id: Vec<(i64, i64)> = waitlisted
        .iter()
        .map(|b| (b["id"].as_i64().unwrap(), b["waitlist_position"].as_i64().unwrap()))
        .collect();
    by_id.sort_unstable();
    assert!(
        by_id.windows(2).all(|w| w[0].1 < w[1].1),
        "waitlist follows arrival order"
    );
}

async fn five_hundred_simultaneous_applications_fill_thirty_seats_in_order(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let results = burst(&[&app], class, 500).await;
    check_no_overselling(&results, 30);
    let waitlist = app.store.waitlist(class).await.unwrap();
    assert_eq!(waitlist.len(), 470);
    for (_, body) in results.iter().filter(|(_, b)| b["status"] == "waitlisted") {
        let pos = body["waitlist_position"].as_i64().unwrap() as usize;
        assert_eq!(waitlist[pos - 1].get(), body["id"].as_i64().unwrap());
    }
    let class_json = app.get_json(&format!("/api/v1/classes/{class}")).await;
    assert_eq!(class_json["seats_left"], 0);
    assert_eq!(class_json["allocation"], "first_come");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_sharing_postgres_never_oversell() {
    if Backend::postgres().is_none() {
        return;
    }
    let a = spawn(Backend::Postgres).await;
    let db_url = a.state.config.database_url();
    let b = spawn_app_with(
        Backend::Postgres,
        Options {
            database_url: Some(db_url),
            rate_limit: None,
            ..Default::default()
        },
    )
    .await;
    let class = open_class(&a, ClassSpec::default()).await;
    let results = burst(&[&a, &b], class, 500).await;
    check_no_overselling(&results, 30);
}

async fn ineligible_applicants_hear_every_failing_rule(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let mut body = applicant(1);
    body["date_of_birth"] = json!("2015-01-01");
    body["waiver_accepted"] = json!(false);
    body["city"] = json!("Seaview");
    let (status, problem) = apply(&app, class, &body, None).await;
    assert_eq!(status, 422);
    assert_eq!(problem["type"], "/problems/ineligible");
    let rules: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["min_age", "residence_city", "waiver"]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at least 18")
    );
}

async fn malformed_bodies_are_422_never_500(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let mut unknown = applicant(1);
    unknown["is_admin"] = json!(true);
    let mut missing = applicant(2);
    missing.as_object_mut().unwrap().remove("email");
    let mut wrong_type = applicant(3);
    wrong_type["waiver_accepted"] = json!("yes");
    let mut bad_date = applicant(4);
    bad_date["date_of_birth"] = json!("23/04/1985");
    for body in [unknown, missing, wrong_type, bad_date, json!([1, 2]), json!(null)] {
        let (status, problem) = apply(&app, class, &body, None).await;
        assert_eq!(status, 422, "{body} -> {problem}");
        assert!(!problem["errors"].as_array().unwrap().is_empty());
    }
    let res = app
        .client
        .post(format!("{}/api/v1/classes/{class}/registrations", app.address))
        .body("not json at all")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let (status, _) = apply(&app, ClassId::new(987_654), &applicant(5), None).await;
    assert_eq!(status, 404);
}

async fn a_retried_request_returns_the_first_answer(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let (s1, first) = apply(&app, class, &applicant(1), Some("retry-abc")).await;
    let (s2, second) = apply(&app, class, &applicant(1), Some("retry-abc")).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first, second);
    let (s3, problem) = apply(&app, class, &applicant(2), Some("retry-abc")).await;
    assert_eq!(s3, 422, "same key, different application");
    assert_eq!(problem["type"], "/problems/idempotency-key-reused");
    // Ten simultaneous retries of one request create one application.
    let mut handles = Vec::new();
    for _ in 0..10 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/classes/{class}/registrations", app.address);
        handles.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .header("Idempotency-Key", "burst-1")
                .json(&applicant(7))
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }));
    }
    let mut ids = HashSet::new();
    for h in handles {
        let (status, body) = h.await.unwrap();
        assert_eq!(status, 201);
        ids.insert(body["id"].as_i64().unwrap());
    }
    assert_eq!(ids.len(), 1);
    let counts = app.store.status_counts(class).await.unwrap();
    assert_eq!(counts, vec![("confirmed".to_string(), 2)]);
}

async fn the_same_person_cannot_apply_twice(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    assert_eq!(apply(&app, class, &applicant(1), None).await.0, 201);
    let mut same_email = applicant(2);
    same_email["email"] = json!("  PERSON1@example.org ");
    let (status, problem) = apply(&app, class, &same_email, None).await;
    assert_eq!(status, 409);
    assert_eq!(problem["type"], "/problems/already-applied");
    let mut same_person = applicant(1);
    same_person["email"] = json!("other.address@example.org");
    same_person["first_name"] = json!("person1 ");
    assert_eq!(apply(&app, class, &same_person, None).await.0, 409);
}

async fn closed_or_unopened_registration_is_409(backend: Backend) {
    let app = spawn(backend).await;
    let announced = open_class(
        &app,
        ClassSpec {
            status: ClassStatus::Announced,
            ..Default::default()
        },
    )
    .await;
    let (status, problem) = apply(&app, announced, &applicant(1), None).await;
    assert_eq!(status, 409);
    assert_eq!(problem["type"], "/problems/registration-closed");
    let closed = open_class(
        &app,
        ClassSpec {
            status: ClassStatus::Closed,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(apply(&app, closed, &applicant(2), None).await.0, 409);
    // The demo teen academy takes counselor nominations, not online applications.
    let teen = app.get_json("/api/v1/classes?program=teen-academy").await;
    let teen_id = ClassId::new(teen["classes"][0]["id"].as_i64().unwrap());
    assert_eq!(apply(&app, teen_id, &applicant(3), None).await.0, 409);
}

async fn review_programs_hold_the_seat_while_pending(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 1,
            review: true,
            ..Default::default()
        },
    )
    .await;
    let (_, first) = apply(&app, class, &applicant(1), None).await;
    assert_eq!(first["status"], "pending_review");
    let (_, second) = apply(&app, class, &applicant(2), None).await;
    assert_eq!(
        second["status"], "waitlisted",
        "the pending application holds the only seat"
    );
    assert_eq!(second["waitlist_position"], 1);
}

async fn a_priority_round_admits_residents_first(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    // The coordinator sets the round on the rules page: residents only for the next day.
    let coordinator = crate::actors::session(&app, crate::actors::COORDINATOR).await;
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let until = Timestamp::now().checked_add(SignedDuration::from_hours(24)).unwrap();
    let local = until.to_zoned(tz).strftime("%Y-%m-%dT%H:%M").to_string();
    let rules = format!("/staff/classes/{class}/rules");
    let form = |until: &str, resides: &str| {
        vec![
            ("held_back_seats".to_string(), "0".to_string()),
            ("priority_until".to_string(), until.to_string()),
            ("resides".to_string(), resides.to_string()),
            ("offer_hours".to_string(), "48".to_string()),
            ("corrections_until".to_string(), String::new()),
        ]
    };
    let send = |f: Vec<(String, String)>| {
        let (app, coordinator, rules) = (&app, coordinator.clone(), rules.clone());
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            crate::actors::post_as(app, Some(&coordinator), &rules, &pairs).await
        }
    };
    assert_eq!(send(form(&local, "")).await, 422, "a round needs the ties it admits");
    assert_eq!(send(form("next week", "yes")).await, 422);
    assert_eq!(send(form(&local, "yes")).await, 303);
    let page = app.page_as(&coordinator, &rules).await;
    assert!(
        page.contains(&format!("value=\"{local}\"")),
        "the saved time reads back in local time"
    );
    assert_eq!(
        apply(&app, class, &applicant(1), None).await.0,
        201,
        "residents may apply now"
    );
    let mut worker = applicant(2);
    worker["affiliation"] = json!({"kind": "works"});
    let (status, problem) = apply(&app, class, &worker, None).await;
    assert_eq!(status, 409);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("open only to people who lives in the city")
    );
}

async fn held_back_seats_are_left_for_staff_entries(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 3,
            ..Default::default()
        },
    )
    .await;
    let mut tx = app.store.begin().await.unwrap();
    tx.set_registration_rules(class, &held_back(1)).await.unwrap();
    tx.commit().await.unwrap();
    let statuses: Vec<String> = {
        let mut v = Vec::new();
        for n in 0..3 {
            v.push(
                apply(&app, class, &applicant(n), None).await.1["status"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
        v
    };
    assert_eq!(
        statuses,
        ["confirmed", "confirmed", "waitlisted"],
        "one of three seats is held back"
    );
    // A staff entry (phone or walk-in) may take the held-back seat, under the same rules.
    let input: precinct::domain::ApplicationInput = serde_json::from_value(applicant(9)).unwrap();
    let request = precinct::service::registrar::Request {
        class_id: class,
        applicant: input.validate(jiff::Zoned::now().date()).unwrap(),
        channel: precinct::store::applications::Channel::Staff,
        idempotency_key: None,
        fingerprint: String::new(),
        answers: Vec::new(),
    };
    let receipt = app.state.registrar.register(request).await.unwrap();
    assert_eq!(receipt.status, precinct::domain::ApplicationStatus::Confirmed);
}

async fn the_same_person_sent_twenty_times_at_once_gets_one_application(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let mut handles = Vec::new();
    for n in 0..20 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/classes/{class}/registrations", app.address);
        let mut body = applicant(1);
        // Different spellings of the same address, no idempotency key.
        body["email"] = json!(if n % 2 == 0 {
            "person1@example.org"
        } else {
            "PERSON1@example.org"
        });
        handles.push(tokio::spawn(async move {
            client.post(url).json(&body).send().await.unwrap().status().as_u16()
        }));
    }
    let mut codes = Vec::new();
    for h in handles {
        codes.push(h.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 19, "{codes:?}");
    assert_eq!(
        app.store.status_counts(class).await.unwrap(),
        vec![("confirmed".to_string(), 1)]
    );
}

on_both_backends!(
    five_hundred_simultaneous_applications_fill_thirty_seats_in_order,
    ineligible_applicants_hear_every_failing_rule,
    malformed_bodies_are_422_never_500,
    a_retried_request_returns_the_first_answer,
    the_same_person_cannot_apply_twice,
    closed_or_unopened_registration_is_409,
    review_programs_hold_the_seat_while_pending,
    a_priority_round_admits_residents_first,
    held_back_seats_are_left_for_staff_entries,
    the_same_person_sent_twenty_times_at_once_gets_one_application,
);

/// Rules that only hold seats back for staff entries.
pub fn held_back(seats: i64) -> precinct::domain::class::RegistrationRules {
    precinct::domain::class::RegistrationRules {
        held_back_seats: seats,
        priority_until: None,
        priority: Vec::new(),
        offer_hours: 48,
        corrections_until: None,
    }
}
