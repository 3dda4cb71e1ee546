//! A program's own application questions: coordinators manage them on the program's
//! settings and over the API; residents answer them on the form (with documents, sent as
//! multipart) and over the API; answers are checked like every other field, shown to
//! reviewers (sensitive ones only to the roles the department names, in every view),
//! erased when their retention ends, and listed on the privacy notice.

use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::actors::{ADMIN, COORDINATOR, OTHER_OFFICER, get_as, post_as, session};
use crate::applications::{applicant, apply, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

const PROGRAM: &str = "citizen-academy";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-really-an-image";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n";

/// The program's questions as the public API lists them.
async fn listed(app: &TestApp) -> Vec<Value> {
    app.get_json(&format!("/api/v1/programs/{PROGRAM}")).await["questions"]
        .as_array()
        .unwrap()
        .clone()
}

/// The id of the listed question with `label`.
async fn id_of(app: &TestApp, label: &str) -> i64 {
    listed(app)
        .await
        .iter()
        .find(|q| q["label"] == label)
        .unwrap_or_else(|| panic!("{label} is listed"))["id"]
        .as_i64()
        .unwrap()
}

/// Adds a question through the settings page; answers the status.
async fn add(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> u16 {
    post_as(
        app,
        Some(cookie),
        &format!("/staff/programs/{PROGRAM}/questions"),
        fields,
    )
    .await
}

/// Adds one question of every kind; the document one is required and sensitive.
async fn add_every_kind(app: &TestApp, cookie: &str) {
    let base = [("retention_months", "12")];
    for fields in [
        vec![
            ("kind", "text"),
            ("label", "Why do you want to join?"),
            ("required", "yes"),
        ],
        vec![
            ("kind", "choice"),
            ("label", "Which evening suits you?"),
            ("options", "Tuesday\nThursday"),
            ("required", "yes"),
        ],
        vec![("kind", "yes_no"), ("label", "Have you served on a jury?")],
        vec![("kind", "date"), ("label", "When did you move to the city?")],
        vec![
            ("kind", "document"),
            ("label", "Proof of residence"),
            ("help", "A utility bill or lease"),
            ("required", "yes"),
            ("sensitive", "yes"),
        ],
    ] {
        let mut fields = fields;
        fields.extend_from_slice(&base);
        assert_eq!(add(app, cookie, &fields).await, 303, "{fields:?}");
    }
}

/// The standard fields of the form, all valid.
fn standard(n: usize) -> Vec<(String, String)> {
    [
        ("first_name", format!("Form{n}")),
        ("last_name", "Resident".into()),
        ("email", format!("form{n}@example.org")),
        ("phone", "555-010-2222".into()),
        ("date_of_birth", "1980-02-03".into()),
        ("city", "Harbor Point".into()),
        ("affiliation", "resides".into()),
        ("emergency_name", "Kin Resident".into()),
        ("emergency_phone", "555-010-3333".into()),
        ("waiver_accepted", "yes".into()),
        ("form_token", format!("token-{n}")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Sends the class page's form as multipart; status and page.
async fn send_form(
    app: &TestApp,
    class: i64,
    text: &[(String, String)],
    file: Option<(String, &'static str, Vec<u8>)>,
) -> (u16, String) {
    let mut form = Form::new();
    for (k, v) in text {
        form = form.text(k.clone(), v.clone());
    }
    if let Some((name, file_name, bytes)) = file {
        form = form.part(name, Part::bytes(bytes).file_name(file_name.to_string()));
    }
    let res = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .header("origin", &app.address)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// A staff API token of `role`.
async fn token(app: &TestApp, role: precinct::domain::Role) -> String {
    let token = precinct::auth::tokens::generate();
    app.store
        .insert_api_token(
            &format!("{role:?}-questions"),
            role,
            &precinct::auth::tokens::hash(&token),
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    token
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn coordinators_manage_questions_and_residents_answer_them_on_the_form(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    add_every_kind(&app, &coordinator).await;
    let (status, settings) = page(&app, &coordinator, &format!("/staff/programs/{PROGRAM}/questions")).await;
    assert_eq!(status, 200);
    assert!(settings.contains("Proof of residence") && settings.contains("12 months after"));

    // A bad draft is refused with its reasons.
    let status = add(
        &app,
        &coordinator,
        &[
            ("kind", "choice"),
            ("label", "Shirt size"),
            ("options", "M"),
            ("retention_months", "0"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    let labels = |qs: Vec<Value>| {
        qs.iter()
            .map(|q| q["label"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&app).await.len(), 5, "nothing was added");

    // Reorder, edit, remove (an unanswered question is simply gone).
    let jury = id_of(&app, "Have you served on a jury?").await;
    let move_to = format!("/staff/programs/{PROGRAM}/questions/{jury}/move");
    assert_eq!(
        post_as(&app, Some(&coordinator), &move_to, &[("direction", "up")]).await,
        303
    );
    assert_eq!(
        labels(listed(&app).await)[..3],
        [
            "Why do you want to join?",
            "Have you served on a jury?",
            "Which evening suits you?"
        ]
    );
    let moved = format!("/staff/programs/{PROGRAM}/questions/{jury}");
    let edit = [
        ("kind", "yes_no"),
        ("label", "Have you ever served on a jury?"),
        ("retention_months", "6"),
    ];
    assert_eq!(post_as(&app, Some(&coordinator), &moved, &edit).await, 303);
    let date = id_of(&app, "When did you move to the city?").await;
    let remove = format!("/staff/programs/{PROGRAM}/questions/{date}/remove");
    assert_eq!(post_as(&app, Some(&coordinator), &remove, &[]).await, 303);
    assert_eq!(
        labels(listed(&app).await),
        [
            "Why do you want to join?",
            "Have you ever served on a jury?",
            "Which evening suits you?",
            "Proof of residence"
        ]
    );

    // The class page shows them after the standard fields, as a multipart form.
    let class = app.class_id("Class 33").await;
    let (_, html) = app.get_text(&format!("/classes/{class}")).await;
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let standard_at = html.find("Emergency contact").unwrap();
    assert!(html.find("Why do you want to join?").unwrap() > standard_at);
    assert!(html.contains("Have you ever served on a jury? (optional)"));

    let why = id_of(&app, "Why do you want to join?").await;
    let evening = id_of(&app, "Which evening suits you?").await;
    let proof = id_of(&app, "Proof of residence").await;
    let answers = |n: usize, choice: &str| {
        let mut f = standard(n);
        f.push((format!("answer-{why}"), "To understand how calls are handled.".into()));
        f.push((format!("answer-{evening}"), choice.into()));
        f.push((format!("answer-{jury}"), "no".into()));
        f
    };
    let field = format!("answer-{proof}");
    let file = |name: &'static str, bytes: &[u8]| Some((field.clone(), name, bytes.to_vec()));

    // Bad answers: every problem named at its field, typed answers kept, no 500.
    let (status, html) = send_form(
        &app,
        class,
        &answers(1, "Friday"),
        file("bill.exe", b"MZ\x90\0 not a picture"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Choose one of the listed answers to “Which evening suits you?”."),
        "{html}"
    );
    assert!(html.contains("The file for “Proof of residence” must be a JPEG or PNG image or a PDF."));
    assert!(
        html.contains("To understand how calls are handled."),
        "typed answers are kept"
    );
    assert!(
        html.contains(&format!("href=\"#answer-{evening}-0\"")),
        "the summary links to the radio group"
    );
    // Required answers missing.
    let (status, html) = send_form(&app, class, &standard(2), None).await;
    assert_eq!(status, 422);
    assert!(html.contains("Answer “Why do you want to join?”."));
    assert!(html.contains("Attach a file for “Proof of residence”."));
    // An oversized document.
    let mut big = PNG.to_vec();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let (status, html) = send_form(&app, class, &answers(3, "Tuesday"), file("scan.png", &big)).await;
    assert_eq!(status, 422);
    assert!(html.contains("The file for “Proof of residence” is larger than 5 MB"));
    assert!(
        app.store
            .roster(precinct::domain::ClassId::new(class))
            .await
            .unwrap()
            .iter()
            .all(|r| !r.email.starts_with("form"))
    );

    // A good application with its document.
    let (status, html) = send_form(&app, class, &answers(4, "Tuesday"), file("C:\\docs\\bill.png", PNG)).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Application received"));
    let id = app
        .store
        .roster(precinct::domain::ClassId::new(class))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.email == "form4@example.org")
        .unwrap()
        .id;
    let admin = session(&app, ADMIN).await;
    let (status, review) = page(&app, &admin, &format!("/staff/applications/{id}")).await;
    assert_eq!(status, 200);
    for shown in [
        "To understand how calls are handled.",
        "<dd>Tuesday</dd>",
        "<dd>No</dd>",
        "bill.png",
    ] {
        assert!(review.contains(shown), "{shown} on the review page");
    }
    let res = app
        .client
        .get(format!("{}/staff/applications/{id}/answers/{proof}/file", app.address))
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()[CONTENT_TYPE], "image/png");
    assert!(
        res.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

    // A question that has answers is archived: off the form, its answers kept.
    let remove = format!("/staff/programs/{PROGRAM}/questions/{why}/remove");
    assert_eq!(post_as(&app, Some(&coordinator), &remove, &[]).await, 303);
    assert!(!labels(listed(&app).await).contains(&"Why do you want to join?".to_string()));
    let (_, review) = page(&app, &admin, &format!("/staff/applications/{id}")).await;
    assert!(review.contains("To understand how calls are handled."));
    let (_, privacy) = app.get_text("/privacy").await;
    assert!(privacy.contains("Why do you want to join? (no longer asked"));
}

async fn the_api_manages_questions_and_takes_answers_by_id(backend: Backend) {
    let app = spawn(backend).await;
    let admin = token(&app, precinct::domain::Role::Admin).await;
    let officer = token(&app, precinct::domain::Role::Officer).await;
    let url = format!("{}/api/v1/programs/{PROGRAM}/questions", app.address);
    let create = |body: Value, bearer: String| {
        let req = app.client.post(&url).bearer_auth(bearer).json(&body);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, _) = create(
        json!({"kind": "text", "label": "x", "retention_months": 3}),
        officer.clone(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, bad) = create(
        json!({"kind": "essay", "label": "", "retention_months": 500}),
        admin.clone(),
    )
    .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["kind", "label", "retention_months"]);
    let (status, text) = create(
        json!({"kind": "text", "label": "Your occupation", "required": true, "retention_months": 6}),
        admin.clone(),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let (_, choice) = create(
        json!({"kind": "choice", "label": "T-shirt size", "options": ["S", "M", "L"], "retention_months": 3}),
        admin.clone(),
    )
    .await;
    let (_, doc) = create(
        json!({"kind": "document", "label": "Driver's license", "sensitive": true, "retention_months": 1}),
        admin.clone(),
    )
    .await;
    let (_, spare) = create(
        json!({"kind": "yes_no", "label": "Spare", "retention_months": 1}),
        admin.clone(),
    )
    .await;
    let (t, c, d) = (
        text["id"].as_i64().unwrap(),
        choice["id"].as_i64().unwrap(),
        doc["id"].as_i64().unwrap(),
    );

    let res = app
        .client
        .put(format!("{url}/{c}"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "choice", "label": "T-shirt size", "options": ["S", "M", "L", "XL"], "retention_months": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["options"],
        json!(["S", "M", "L", "XL"])
    );
    let res = app
        .client
        .delete(format!("{url}/{}", spare["id"]))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["outcome"], "deleted");
    let res = app.client.get(&url).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["questions"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(listed(&app).await.len(), 3, "the public program lists them");

    let class = precinct::domain::ClassId::new(app.class_id("Class 33").await);
    let with = |answers: Value| {
        let mut body = applicant(7);
        body["answers"] = answers;
        body
    };
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let (status, body) = apply(&app, class, &with(json!({ c.to_string(): "XXL", "999999": "?" })), None).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<String> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        fields,
        [
            "answers.999999".to_string(),
            format!("answers.{t}"),
            format!("answers.{c}")
        ]
    );
    let (status, body) = apply(
        &app,
        class,
        &with(
            json!({ t.to_string(): "Nurse", d.to_string(): {"file_name": "id.txt", "content_base64": b64(b"hello")} }),
        ),
        None,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["rule"], "file_type");
    let (status, body) = apply(
        &app,
        class,
        &with(json!({ t.to_string(): "Nurse", d.to_string(): {"file_name": "id.pdf", "content_base64": "%%%"} })),
        None,
    )
    .await;
    assert_eq!((status, body["errors"][0]["rule"].clone()), (422, json!("base64")));
    let good = with(json!({
        t.to_string(): "Nurse",
        c.to_string(): "M",
        d.to_string(): {"file_name": "license.pdf", "content_base64": b64(PDF)},
    }));
    let (status, body) = apply(&app, class, &good, Some("questions-1")).await;
    assert_eq!(status, 201, "{body}");
    let (status, again) = apply(&app, class, &good, Some("questions-1")).await;
    assert_eq!(
        (status, again["id"].clone()),
        (201, body["id"].clone()),
        "a retry is replayed"
    );

    let roster = app
        .client
        .get(format!("{}/api/v1/classes/{class}/registrations", app.address))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let entry = roster["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == body["id"])
        .unwrap()
        .clone();
    assert_eq!(entry["answers"][t.to_string()], "Nurse");
    assert_eq!(entry["answers"][d.to_string()], "license.pdf");
}

async fn sensitive_answers_and_documents_reach_only_named_roles(backend: Backend) {
    let app = spawn(backend).await;
    let admin = session(&app, ADMIN).await;
    let coordinator = session(&app, COORDINATOR).await;
    // Only administrators are named for sensitive fields.
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/settings", &[("admin", "yes")]).await,
        303
    );
    for fields in [
        [
            ("kind", "text"),
            ("label", "Prior arrests"),
            ("sensitive", "yes"),
            ("retention_months", "6"),
        ],
        [
            ("kind", "text"),
            ("label", "Favourite unit"),
            ("sensitive", ""),
            ("retention_months", "6"),
        ],
        [
            ("kind", "document"),
            ("label", "Court papers"),
            ("sensitive", "yes"),
            ("retention_months", "6"),
        ],
    ] {
        assert_eq!(add(&app, &coordinator, &fields).await, 303);
    }
    let arrests = id_of(&app, "Prior arrests").await;
    let unit = id_of(&app, "Favourite unit").await;
    let papers = id_of(&app, "Court papers").await;
    let class = precinct::domain::ClassId::new(app.class_id("Class 33").await);
    use base64::Engine as _;
    let mut body = applicant(3);
    body["answers"] = json!({
        arrests.to_string(): "One in 1999, dismissed",
        unit.to_string(): "K-9",
        papers.to_string(): {"file_name": "court.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(PDF)},
    });
    let (status, applied) = apply(&app, class, &body, None).await;
    assert_eq!(status, 201, "{applied}");
    let id = applied["id"].as_i64().unwrap();
    let secret = "One in 1999, dismissed";
    let file = format!("/staff/applications/{id}/answers/{papers}/file");

    // Not named: not on the review page, not in the CSV, not in the API, no download.
    let (_, review) = page(&app, &coordinator, &format!("/staff/applications/{id}")).await;
    assert!(review.contains("K-9") && review.contains("Prior arrests"));
    assert!(!review.contains(secret) && !review.contains("court.pdf") && !review.contains(&file));
    let (_, csv) = page(&app, &coordinator, &format!("/staff/classes/{class}/roster.csv")).await;
    assert!(csv.contains("Favourite unit") && csv.contains("K-9"));
    assert!(!csv.contains("Prior arrests") && !csv.contains(secret) && !csv.contains("court.pdf"));
    assert_eq!(get_as(&app, Some(&coordinator), &file).await, 403);
    let coordinator_token = token(&app, precinct::domain::Role::Coordinator).await;
    let api = app
        .client
        .get(format!("{}/api/v1/classes/{class}/registrations", app.address))
        .bearer_auth(&coordinator_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(api.contains("K-9") && !api.contains(secret) && !api.contains("court.pdf"));

    // Named: everything.
    let (_, review) = page(&app, &admin, &format!("/staff/applications/{id}")).await;
    assert!(review.contains(secret) && review.contains(&file));
    let (_, csv) = page(&app, &admin, &format!("/staff/classes/{class}/roster.csv")).await;
    assert!(csv.contains("Prior arrests") && csv.contains(secret) && csv.contains("court.pdf"));
    assert_eq!(get_as(&app, Some(&admin), &file).await, 200);

    // The download checks the role and that the answer belongs to that application.
    let officer = session(&app, OTHER_OFFICER).await;
    assert_eq!(get_as(&app, Some(&officer), &file).await, 403);
    assert_eq!(get_as(&app, None, &file).await, 303);
    let (_, other) = apply(&app, class, &applicant(4), None).await;
    let elsewhere = format!("/staff/applications/{}/answers/{papers}/file", other["id"]);
    assert_eq!(get_as(&app, Some(&admin), &elsewhere).await, 404);
    let unanswered = format!("/staff/applications/{id}/answers/{unit}/file");
    assert_eq!(get_as(&app, Some(&admin), &unanswered).await, 404);
}

async fn answers_are_erased_when_their_retention_ends(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    for fields in [
        [
            ("kind", "document"),
            ("label", "Short-lived scan"),
            ("retention_months", "1"),
        ],
        [
            ("kind", "text"),
            ("label", "Long-kept note"),
            ("retention_months", "24"),
        ],
    ] {
        assert_eq!(add(&app, &coordinator, &fields).await, 303);
    }
    let scan = id_of(&app, "Short-lived scan").await;
    let note = id_of(&app, "Long-kept note").await;
    let class = precinct::domain::ClassId::new(app.class_id("Class 33").await);
    use base64::Engine as _;
    let mut body = applicant(5);
    body["answers"] = json!({
        scan.to_string(): {"file_name": "scan.png", "content_base64": base64::engine::general_purpose::STANDARD.encode(PNG)},
        note.to_string(): "Keep me",
    });
    let (status, applied) = apply(&app, class, &body, None).await;
    assert_eq!(status, 201, "{applied}");
    let id = applied["id"].as_i64().unwrap();
    let last = app
        .store
        .sessions(class)
        .await
        .unwrap()
        .iter()
        .map(|s| s.starts_at)
        .max()
        .unwrap();
    let days = |n: i64| last.checked_add(jiff::SignedDuration::from_hours(24 * n)).unwrap();

    let round = precinct::jobs::run_once(&app.state.jobs(), days(20)).await.unwrap();
    assert_eq!(round.answers_erased, 0, "a month has not passed");
    let round = precinct::jobs::run_once(&app.state.jobs(), days(32)).await.unwrap();
    assert_eq!(round.answers_erased, 1, "only the one-month answer");
    let again = precinct::jobs::run_once(&app.state.jobs(), days(33)).await.unwrap();
    assert_eq!(again.answers_erased, 0, "erasing happens once");

    let admin = session(&app, ADMIN).await;
    let (_, review) = page(&app, &admin, &format!("/staff/applications/{id}")).await;
    assert!(review.contains("Keep me") && review.contains("(erased at the end of its retention)"));
    assert!(!review.contains("scan.png"));
    let file = format!("/staff/applications/{id}/answers/{scan}/file");
    assert_eq!(get_as(&app, Some(&admin), &file).await, 404);
    let (_, audit) = page(&app, &admin, "/staff/audit?object=class").await;
    assert!(audit.contains("retention.erase_answers"));
}

async fn the_privacy_notice_lists_every_question_and_how_long_it_is_kept(backend: Backend) {
    let app = spawn(backend).await;
    let (status, html) = app.get_text("/privacy").await;
    assert_eq!(status, 200);
    assert!(html.contains("date of birth") && html.contains("No program asks questions of its own"));
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("href=\"/privacy\""), "linked from the footer");

    let coordinator = session(&app, COORDINATOR).await;
    let fields = [
        ("kind", "yes_no"),
        ("label", "Do you own a dog?"),
        ("retention_months", "18"),
    ];
    assert_eq!(add(&app, &coordinator, &fields).await, 303);
    let (_, html) = app.get_text("/privacy").await;
    assert!(html.contains("Citizen Police Academy"));
    assert!(
        html.contains("Do you own a dog?") && html.contains("18 months after the class"),
        "{html}"
    );

    // The department's own introduction replaces the default one.
    let intro = [
        ("kind", "page"),
        ("slug", "privacy"),
        ("title", "Privacy"),
        ("body", "Our records officer answers privacy questions on Tuesdays."),
        ("published", "yes"),
    ];
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/content/new", &intro).await,
        303
    );
    let (_, html) = app.get_text("/privacy").await;
    assert!(html.contains("Our records officer answers privacy questions on Tuesdays."));
    assert!(html.contains("Do you own a dog?"));
}

on_both_backends!(
    coordinators_manage_questions_and_residents_answer_them_on_the_form,
    the_api_manages_questions_and_takes_answers_by_id,
    sensitive_answers_and_documents_reach_only_named_roles,
    answers_are_erased_when_their_retention_ends,
    the_privacy_notice_lists_every_question_and_how_long_it_is_kept,
);
