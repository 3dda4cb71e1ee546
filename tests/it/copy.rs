//! Copying a class to the next semester: the form, its preview, the saved draft with the
//! same sessions and presenters, holidays skipped; and the same through the API.

use reqwest::Method;
use serde_json::{Value, json};

use crate::actors::{COORDINATOR, OTHER_OFFICER, get_as, post_page, session};
use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::manage::{send, token};
use crate::on_both_backends;
use precinct::domain::ClassId;

/// A department holiday on the second Tuesday of the copy's semester.
async fn holiday(app: &TestApp) {
    let api = token(app, "coordinator");
    let day = json!({"date": "2028-01-11", "name": "Founders Day"});
    assert_eq!(
        send(app, Method::POST, "/api/v1/holidays", Some(&api), &day).await.0,
        201
    );
}

async fn a_class_is_copied_to_the_next_semester_after_a_preview(backend: Backend) {
    let app = spawn(backend).await;
    holiday(&app).await;
    let source = app.class_id("Class 33").await;
    let path = format!("/staff/classes/{source}/copy");
    let coordinator = session(&app, COORDINATOR).await;
    let officer = session(&app, OTHER_OFFICER).await;
    assert_eq!(get_as(&app, Some(&officer), &path).await, 403);
    let page = app.page_as(&coordinator, &format!("/staff/classes/{source}")).await;
    assert!(page.contains(&format!("href=\"{path}\">Copy this class</a>")));
    let page = app.page_as(&coordinator, &path).await;
    assert!(page.contains("value=\"30\""), "the capacity defaults to the old one");
    assert!(page.contains("The first session is on the first Tuesday from this date."));
    let classes_before = app.store.all_classes().await.unwrap().len();

    // A mistake, then the preview: Tuesdays from January 4, 2028, Founders Day skipped.
    let (status, _, page) = post_page(
        &app,
        &coordinator,
        &path,
        &[("name", ""), ("first_date", "2028-01-03"), ("step", "preview")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Give the class a name of 1 to 100 characters"), "{page}");
    let form = [
        ("name", "Class 34"),
        ("first_date", "2028-01-03"),
        ("capacity", "30"),
        ("opens", ""),
        ("closes", ""),
        ("step", "preview"),
    ];
    let (status, _, page) = post_page(&app, &coordinator, &path, &form).await;
    assert_eq!(status, 200);
    assert!(page.contains("12 sessions of Class 34"), "{page}");
    assert!(page.contains("Tuesday, January 4, 2028") && page.contains("Tuesday, January 18, 2028"));
    assert!(
        !page.contains(">Tuesday, January 11, 2028<"),
        "no session on the holiday"
    );
    assert!(
        page.contains(
            "Moved a week later for the department&#x27;s holidays: Founders Day (Tuesday, January 11, 2028)."
        ) || page
            .contains("Moved a week later for the department's holidays: Founders Day (Tuesday, January 11, 2028).")
    );
    assert!(page.contains("6:00–9:00 PM"));
    let old = app.store.sessions(ClassId::new(source)).await.unwrap();
    assert!(page.contains(&old[0].topic) && page.contains(&old[0].presenters[0].unit_name));
    assert!(page.contains("Save the copy as a draft"));
    assert_eq!(
        app.store.all_classes().await.unwrap().len(),
        classes_before,
        "a preview saves nothing"
    );

    // Saved: a draft with the same sessions, a week apart, and their presenters.
    let mut save = form;
    save[5] = ("step", "save");
    let (status, location, _) = post_page(&app, &coordinator, &path, &save).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.ends_with("?done=copied"), "{location}");
    let id: i64 = location
        .trim_start_matches("/staff/classes/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let copy = app.store.class(ClassId::new(id)).await.unwrap().unwrap();
    assert_eq!(
        (copy.name.as_str(), copy.capacity, copy.status.code()),
        ("Class 34", 30, "draft")
    );
    let new = app.store.sessions(ClassId::new(id)).await.unwrap();
    assert_eq!(new.len(), old.len());
    let dates: Vec<String> = new.iter().map(|s| s.local_date.to_string()).collect();
    assert_eq!(&dates[..3], ["2028-01-04", "2028-01-18", "2028-01-25"]);
    for (n, o) in new.iter().zip(&old) {
        assert_eq!(
            (&n.topic, &n.description, &n.place),
            (&o.topic, &o.description, &o.place)
        );
        assert_eq!((n.local_start, n.local_end), (o.local_start, o.local_end));
        assert_eq!(n.local_date.weekday(), o.local_date.weekday());
        assert_eq!(
            app.store.session_presenter_ids(n.id).await.unwrap(),
            app.store.session_presenter_ids(o.id).await.unwrap()
        );
    }
    let page = app.page_as(&coordinator, &location).await;
    assert!(page.contains("The class is copied as a draft."));
    assert!(page.contains("Founders Day (Tuesday, January 11, 2028)"));
    let audit = app.store.audit_entries(Some("class"), 10).await.unwrap();
    let entry = audit.iter().find(|e| e.action == "class.copy").unwrap();
    assert_eq!(entry.object_id, id.to_string());
    assert!(
        entry
            .after_json
            .as_deref()
            .unwrap()
            .contains(&format!("\"copied_from\":{source}"))
    );

    // The same name again is refused on the form.
    let (status, _, page) = post_page(&app, &coordinator, &path, &save).await;
    assert_eq!(status, 422);
    assert!(page.contains("This program already has a class with that name."));
}

async fn classes_are_copied_through_the_api(backend: Backend) {
    let app = spawn(backend).await;
    holiday(&app).await;
    let source = app.class_id("Class 33").await;
    let path = format!("/api/v1/classes/{source}/copy");
    let coordinator = token(&app, "coordinator");
    let officer = token(&app, "officer");
    let body = json!({"name": "Class 34", "first_date": "2028-01-04", "capacity": 25, "preview": true});
    assert_eq!(send(&app, Method::POST, &path, Some(&officer), &body).await.0, 403);
    assert_eq!(
        send(
            &app,
            Method::POST,
            "/api/v1/classes/999999/copy",
            Some(&coordinator),
            &body
        )
        .await
        .0,
        404
    );
    let bad = json!({"name": "Class 34", "first_date": "next spring"});
    let (status, problem) = send(&app, Method::POST, &path, Some(&coordinator), &bad).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (422, Some("/problems/invalid-class")),
        "{problem}"
    );

    let (status, plan) = send(&app, Method::POST, &path, Some(&coordinator), &body).await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["capacity"], 25);
    let sessions = plan["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 12);
    assert_eq!(sessions[0]["starts_at"], "2028-01-04T18:00:00-08:00");
    assert_eq!(sessions[1]["starts_at"], "2028-01-18T18:00:00-08:00");
    assert_eq!(
        plan["skipped_holidays"],
        json!([{"date": "2028-01-11", "name": "Founders Day"}])
    );
    assert!(!sessions[0]["presenters"].as_array().unwrap().is_empty());

    let save = json!({"name": "Class 34", "first_date": "2028-01-04", "capacity": 25});
    let (status, out) = send(&app, Method::POST, &path, Some(&coordinator), &save).await;
    assert_eq!(status, 201, "{out}");
    assert_eq!(out["class"]["status"], "draft");
    assert_eq!(out["class"]["capacity"], 25);
    assert_eq!(out["class"]["sessions"].as_array().unwrap().len(), 12);
    assert_eq!(out["skipped_holidays"][0]["name"], "Founders Day");
    let (status, problem) = send(&app, Method::POST, &path, Some(&coordinator), &save).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (409, Some("/problems/duplicate-class"))
    );
    let audit = app.store.audit_entries(Some("class"), 10).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "class.copy")
            .map(|e| e.actor.as_str())
            .collect::<Vec<_>>(),
        ["token:coordinator-manage"]
    );
    let _ = Value::Null;
}

on_both_backends!(
    a_class_is_copied_to_the_next_semester_after_a_preview,
    classes_are_copied_through_the_api,
);
