//! One rule for sensitive screening fields, in every view: a reviewer whose role the
//! department does not name never learns a background check's status or a sensitive
//! stage's outcome, reason or note, whether from the application page, the review queue,
//! the audit log, the roster's CSV and JSON, or the answer to an approval. Two
//! applications that differ only in a failed or passed background check must look the
//! same to them.

use crate::actors::{ADMIN, COORDINATOR, post_as, post_page, session};
use crate::applications::{applicant, apply, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

async fn application(app: &TestApp, n: usize) -> i64 {
    let class = app.class_id("Class 33").await;
    let (status, body) = apply(app, precinct::domain::ClassId::new(class), &applicant(n), None).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn screen(app: &TestApp, cookie: &str, id: i64, stage: &str, outcome: &str, reason: &str, note: &str) {
    let form = [
        ("stage", stage),
        ("outcome", outcome),
        ("reason", reason),
        ("note", note),
    ];
    let path = format!("/staff/applications/{id}/screening");
    assert_eq!(post_as(app, Some(cookie), &path, &form).await, 303, "{stage}");
}

/// The review queue's screening cell for application `id`.
fn queue_row(queue: &str, id: i64) -> String {
    let anchor = format!("/staff/applications/{id}\"");
    let start = queue
        .find(&anchor)
        .unwrap_or_else(|| panic!("application {id} is queued"));
    let row = &queue[start..];
    let cell = row.split("data-label=\"Screening\">").nth(1).unwrap();
    cell.split("</td>").next().unwrap().to_string()
}

async fn sensitive_fields_hide_in_every_view_from_roles_not_named(backend: Backend) {
    let app = spawn(backend).await;
    let admin = session(&app, ADMIN).await;
    let coordinator = session(&app, COORDINATOR).await;
    // The department names only coordinators: the administrator is a reviewer not named.
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/settings", &[("coordinator", "yes")]).await,
        303
    );
    let failed = application(&app, 1).await;
    let passed = application(&app, 2).await;
    for id in [failed, passed] {
        screen(
            &app,
            &coordinator,
            id,
            "application_review",
            "passed",
            "meets_criteria",
            "",
        )
        .await;
    }
    screen(
        &app,
        &coordinator,
        failed,
        "background_check",
        "failed",
        "record_found",
        "Warrant in Ash County.",
    )
    .await;
    screen(
        &app,
        &coordinator,
        passed,
        "background_check",
        "passed",
        "meets_criteria",
        "Nothing found.",
    )
    .await;
    let check = |id: i64| format!("/staff/applications/{id}/background-check");
    assert_eq!(
        post_as(&app, Some(&coordinator), &check(failed), &[("status", "not_cleared")]).await,
        303
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &check(passed), &[("status", "cleared")]).await,
        303
    );
    // Not named: the administrator may not record them either.
    assert_eq!(
        post_as(&app, Some(&admin), &check(passed), &[("status", "cleared")]).await,
        403
    );

    // The review queue.
    let queue = app.page_as(&admin, "/staff/review").await;
    assert_eq!(
        queue_row(&queue, failed),
        queue_row(&queue, passed),
        "queue rows differ only by sensitive results"
    );
    assert!(!queue.contains("failed"), "{}", queue_row(&queue, failed));
    let named_queue = app.page_as(&coordinator, "/staff/review").await;
    assert!(queue_row(&named_queue, failed).contains("A stage failed"));
    assert!(!queue_row(&named_queue, passed).contains("failed"));

    // The application page.
    let page = |id: i64| format!("/staff/applications/{id}");
    let shown_failed = app.page_as(&admin, &page(failed)).await;
    let shown_passed = app.page_as(&admin, &page(passed)).await;
    for shown in [&shown_failed, &shown_passed] {
        assert!(shown.contains("Background check: Complete (details restricted)"));
        for secret in ["Warrant", "Nothing found", "Not cleared", "not_cleared", ">Cleared<"] {
            assert!(!shown.contains(secret), "{secret} shown to a role not named");
        }
    }
    let named = app.page_as(&coordinator, &page(failed)).await;
    assert!(named.contains("Warrant in Ash County.") && named.contains("Background check: Failed"));

    // The audit log (administrators read it; this one is not named).
    let audit = app.page_as(&admin, "/staff/audit?object=application").await;
    assert!(audit.contains("application.background_check") && audit.contains("application.screening"));
    for secret in [
        "not_cleared",
        "cleared\"",
        "record_found",
        "Warrant",
        "\"failed\"",
        "&quot;failed&quot;",
    ] {
        assert!(
            !audit.contains(secret),
            "the audit log shows {secret} to a role not named"
        );
    }
    assert!(audit.contains("restricted: a sensitive screening field"));
    // The entry of a stage that is not sensitive stays readable.
    assert!(audit.contains("application_review"));

    // Exports and the API carry no screening field: the roster's rows for a failed and a
    // passed check say the same, as CSV and as JSON.
    let class = app.class_id("Class 33").await;
    let secrets = ["Warrant", "Nothing found", "not_cleared", "record_found", "failed"];
    let csv = app.page_as(&admin, &format!("/staff/classes/{class}/roster.csv")).await;
    let status_in_csv = |id: i64| {
        let row = csv.lines().find(|l| l.starts_with(&format!("{id},"))).expect("listed");
        row.split(',').nth(6).unwrap().to_string()
    };
    assert_eq!(status_in_csv(failed), status_in_csv(passed));
    let token = crate::manage::token(&app, "admin");
    let roster: serde_json::Value = app
        .client
        .get(format!("{}/api/v1/classes/{class}/registrations", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = |id: i64| {
        let all = roster["registrations"]
            .as_array()
            .or(roster.as_array())
            .expect("a list");
        let mut e = all.iter().find(|r| r["id"] == id).expect("listed").clone();
        for personal in [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "applied_at",
            "queue_rank",
        ] {
            e.as_object_mut().unwrap().remove(personal);
        }
        e
    };
    assert_eq!(
        entry(failed),
        entry(passed),
        "API rows differ only by sensitive results"
    );
    for secret in secrets {
        assert!(!csv.contains(secret), "the CSV export shows {secret}");
        assert!(!roster.to_string().contains(secret), "the API shows {secret}");
    }

    // Approving: the answer would tell how the check came out, so it is the same refusal
    // for both, and names who may decide.
    for id in [failed, passed] {
        let (status, _, body) = post_page(
            &app,
            &admin,
            &format!("/staff/applications/{id}/decision"),
            &[("decision", "approve")],
        )
        .await;
        assert_eq!(status, 409);
        assert!(body.contains("restricted screening results"), "{body}");
    }
    // Named, the coordinator decides: the passed one still waits for its interview, the
    // failed one cannot be approved at all.
    let (status, _, _) = post_page(
        &app,
        &coordinator,
        &format!("/staff/applications/{failed}/decision"),
        &[("decision", "approve")],
    )
    .await;
    assert_eq!(status, 409);

    // Once the department names administrators again, the log and page show everything.
    assert_eq!(
        post_as(
            &app,
            Some(&admin),
            "/staff/settings",
            &[("admin", "yes"), ("coordinator", "yes")]
        )
        .await,
        303
    );
    let audit = app.page_as(&admin, "/staff/audit?object=application").await;
    assert!(audit.contains("not_cleared") && audit.contains("record_found"));
}

on_both_backends!(sensitive_fields_hide_in_every_view_from_roles_not_named);
