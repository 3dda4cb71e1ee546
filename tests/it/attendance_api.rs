//! Attendance and graduation through the staff JSON API: the same rules and audit as the
//! phone pages, all-or-none marking, and one graduation however many confirm at once.

use reqwest::Method;
use serde_json::{Value, json};

use crate::applications::{ClassSpec, HELD, applicant, apply, open_class, spawn};
use crate::helpers::Backend;
use crate::manage::{send, token};
use crate::on_both_backends;

async fn attendance_and_graduation_through_the_api(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            starts_in_weeks: HELD,
            ..Default::default()
        },
    )
    .await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(apply(&app, class, &applicant(n), None).await.1["id"].as_i64().unwrap());
    }
    let coordinator = token(&app, "coordinator");
    let officer = token(&app, "officer");
    let path = format!("/api/v1/classes/{class}/attendance");
    assert_eq!(send(&app, Method::GET, &path, None, &Value::Null).await.0, 401);
    assert_eq!(
        send(&app, Method::GET, &path, Some(&officer), &Value::Null).await.0,
        403
    );
    let (status, sheet) = send(&app, Method::GET, &path, Some(&coordinator), &Value::Null).await;
    assert_eq!(status, 200);
    let sessions: Vec<i64> = sheet["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(sessions.len(), 12);
    assert_eq!(sheet["participants"].as_array().unwrap().len(), 3);

    // Everyone present everywhere except: person 2 absent three times.
    for (i, s) in sessions.iter().enumerate() {
        let marks: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(n, id)| {
                let mark = if n == 1 && i < 3 { "absent" } else { "present" };
                json!({"application_id": id, "mark": mark})
            })
            .collect();
        let put = format!("/api/v1/classes/{class}/sessions/{s}/attendance");
        let (status, body) = send(&app, Method::PUT, &put, Some(&coordinator), &json!({ "marks": marks })).await;
        assert_eq!(status, 200, "{body}");
    }
    // All or none: one stranger in the list and nothing is saved.
    let put = format!("/api/v1/classes/{class}/sessions/{}/attendance", sessions[0]);
    let mixed = json!({"marks": [{"application_id": ids[1], "mark": "present"}, {"application_id": 999999, "mark": "present"}]});
    let (status, body) = send(&app, Method::PUT, &put, Some(&coordinator), &mixed).await;
    assert_eq!(status, 422, "{body}");
    let bad = json!({"marks": [{"application_id": ids[0], "mark": "present", "minutes_late": 5}]});
    assert_eq!(send(&app, Method::PUT, &put, Some(&coordinator), &bad).await.0, 422);
    let unknown = json!({"marks": [{"application_id": ids[0], "mark": "asleep"}]});
    assert_eq!(send(&app, Method::PUT, &put, Some(&coordinator), &unknown).await.0, 422);
    assert_eq!(
        send(&app, Method::PUT, &put, Some(&officer), &json!({"marks": []}))
            .await
            .0,
        403
    );
    let elsewhere = format!("/api/v1/classes/{class}/sessions/1/attendance");
    assert_eq!(
        send(&app, Method::PUT, &elsewhere, Some(&coordinator), &json!({"marks": []}))
            .await
            .0,
        404
    );

    let grad = format!("/api/v1/classes/{class}/graduation");
    let (_, verdicts) = send(&app, Method::GET, &grad, Some(&coordinator), &Value::Null).await;
    let standing: Vec<(i64, bool)> = verdicts["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["absences"].as_i64().unwrap(), p["graduates"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        standing,
        [(0, true), (3, false), (0, true)],
        "person 2 still absent in session 1: {verdicts}"
    );
    assert!(
        verdicts["rule"]
            .as_str()
            .unwrap()
            .starts_with("Graduates miss at most 2 sessions")
    );
    // Only a class in progress graduates.
    assert_eq!(
        send(&app, Method::POST, &grad, Some(&coordinator), &Value::Null)
            .await
            .0,
        409
    );
    assert_eq!(
        send(&app, Method::POST, &grad, Some(&officer), &Value::Null).await.0,
        403
    );
    let class_path = format!("/api/v1/classes/{class}");
    for status in ["closed", "in_progress"] {
        let (s, body) = send(
            &app,
            Method::PATCH,
            &class_path,
            Some(&coordinator),
            &json!({ "status": status }),
        )
        .await;
        assert_eq!(s, 200, "{body}");
    }
    // Two confirmations at once: one graduates the class, the other is told it already did.
    let (a, b) = tokio::join!(
        send(&app, Method::POST, &grad, Some(&coordinator), &Value::Null),
        send(&app, Method::POST, &grad, Some(&coordinator), &Value::Null)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let confirmed = if a.0 == 200 { a.1 } else { b.1 };
    let issued = confirmed["graduates"].as_array().unwrap();
    assert_eq!(issued.len(), 2);
    let number = issued[0]["certificate"].as_str().unwrap();
    let (status, page) = app.get_text(&format!("/certificates/{number}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Person1 Tester") || page.contains("Person3 Tester"));
    let certificates = app.store.class_certificates(class).await.unwrap();
    assert_eq!(certificates.len(), 2, "issued once");
    let audit = app.store.audit_entries(Some("class"), 20).await.unwrap();
    let graduations: Vec<&str> = audit
        .iter()
        .filter(|e| e.action == "class.graduate" && e.object_id == class.to_string())
        .map(|e| e.actor.as_str())
        .collect();
    assert_eq!(graduations, ["token:coordinator-manage"]);
}

async fn the_demo_weekend_class_is_ready_to_graduate(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Weekend Class 4").await;
    let coordinator = token(&app, "coordinator");
    let grad = format!("/api/v1/classes/{class}/graduation");
    let (status, verdicts) = send(&app, Method::GET, &grad, Some(&coordinator), &Value::Null).await;
    assert_eq!(status, 200);
    let people = verdicts["participants"].as_array().unwrap();
    assert_eq!(people.len(), 12);
    let graduates = people.iter().filter(|p| p["graduates"] == true).count();
    assert_eq!(graduates, 10, "three absences, and one ride-along missing: {verdicts}");
    assert_eq!(people.iter().filter(|p| p["made_up"] == 1).count(), 1);
    assert_eq!(people.iter().filter(|p| p["missing_ride_along"] == true).count(), 1);
    assert!(people.iter().all(|p| p["unmarked"] == 0), "attendance is complete");
}

async fn the_demo_graduated_class_has_its_attendance_and_certificates(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 32").await;
    let c = app.get_json(&format!("/api/v1/classes/{class}")).await;
    assert_eq!(c["status"], "completed");
    let coordinator = token(&app, "coordinator");
    let grad = format!("/api/v1/classes/{class}/graduation");
    let (status, verdicts) = send(&app, Method::GET, &grad, Some(&coordinator), &Value::Null).await;
    assert_eq!(status, 200);
    let people = verdicts["participants"].as_array().unwrap();
    assert_eq!(people.len(), 30);
    let graduates: Vec<&Value> = people.iter().filter(|p| p["graduates"] == true).collect();
    assert_eq!(graduates.len(), 27, "{verdicts}");
    assert!(
        graduates.iter().all(|p| p["certificate"].is_string()),
        "every graduate has a certificate"
    );
    assert!(
        people.iter().all(|p| p["unmarked"] == 0),
        "attendance was taken at every session"
    );
    let counts = app
        .store
        .status_counts(precinct::domain::ClassId::new(class))
        .await
        .unwrap();
    assert_eq!(
        counts,
        vec![("completed".to_string(), 27), ("not_completed".to_string(), 3)]
    );
    // The certificates are the product's own: numbered, verifiable, and the graduation audited.
    let number = graduates[0]["certificate"].as_str().unwrap();
    let (status, page) = app.get_text(&format!("/certificates/{number}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Class 32"));
    let audit = app.store.audit_entries(Some("class"), 50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "class.graduate" && e.object_id == class.to_string())
    );
}

on_both_backends!(
    the_demo_graduated_class_has_its_attendance_and_certificates,
    attendance_and_graduation_through_the_api,
    the_demo_weekend_class_is_ready_to_graduate,
);
