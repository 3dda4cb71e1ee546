//! The teen academy over real HTTP: counselors nominate only for their own schools,
//! grades and quotas hold, a guardian consents once through an expiring link, and nobody
//! is confirmed without consent.

use jiff::{SignedDuration, Timestamp};
use reqwest::header::COOKIE;

use crate::actors::COUNSELOR;
use crate::actors::{COORDINATOR, PRESENTING_OFFICER, get_as, post_as, session};
use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

async fn cohort(app: &TestApp) -> i64 {
    let classes = app.get_json("/api/v1/classes?program=teen-academy").await;
    classes["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "announced")
        .expect("the demo announces next semester's cohort")["id"]
        .as_i64()
        .unwrap()
}

async fn school_id(app: &TestApp, name: &str) -> precinct::domain::SchoolId {
    app.store
        .schools()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
        .id
}

fn nomination<'a>(class: &'a str, school: &'a str, grade: &'a str, number: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("class", class),
        ("school_id", school),
        ("first_name", "Luis"),
        ("last_name", "Ferreira"),
        ("grade", grade),
        ("student_number", number),
        ("guardian_name", "Ana Ferreira"),
        ("guardian_email", "ana.ferreira@family.example"),
    ]
}

/// A second counselor, for Northgate Academy only.
async fn northgate_counselor(app: &TestApp) -> String {
    let email = "northgate.counselor@schools.example";
    let mut tx = app.store.begin().await.unwrap();
    let id = tx
        .insert_staff(
            &precinct::store::seed::NewStaff {
                email,
                full_name: "Omar Haddad",
                rank: None,
                badge_number: None,
                role: precinct::domain::Role::Counselor,
                password_hash: None,
                public_profile: false,
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    tx.link_counselor(id, school_id(app, "Northgate Academy").await)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    session(app, email).await
}

async fn counselors_see_and_change_only_their_own_schools(backend: Backend) {
    let app = spawn(backend).await;
    let class = cohort(&app).await.to_string();
    let counselor = session(&app, COUNSELOR).await;
    let northgate = northgate_counselor(&app).await;
    let officer = session(&app, PRESENTING_OFFICER).await;
    let page = app
        .page_as(&counselor, &format!("/staff/nominations?class={class}"))
        .await;
    assert!(
        page.contains("Maya Ortiz") && page.contains("Priya Raman"),
        "own schools' students"
    );
    assert!(!page.contains("Northgate Academy:"), "no other school");
    assert_eq!(get_as(&app, Some(&officer), "/staff/nominations").await, 403);
    let home = app
        .client
        .get(format!("{}/staff", app.address))
        .header(COOKIE, &counselor)
        .send()
        .await
        .unwrap();
    assert_eq!(
        home.headers().get("location").map(|l| l.to_str().unwrap()),
        Some("/staff/nominations"),
        "a counselor's home is their nominations"
    );

    // Northgate's counselor nominates; Grace (Harbor Point, Bayside) cannot see or touch it.
    let ng = school_id(&app, "Northgate Academy").await.to_string();
    assert_eq!(
        post_as(
            &app,
            Some(&counselor),
            "/staff/nominations",
            &nomination(&class, &ng, "11", "NG-1")
        )
        .await,
        403
    );
    assert_eq!(
        post_as(
            &app,
            Some(&northgate),
            "/staff/nominations",
            &nomination(&class, &ng, "11", "NG-1")
        )
        .await,
        303
    );
    let ng_page = app
        .page_as(&northgate, &format!("/staff/nominations?class={class}"))
        .await;
    assert!(ng_page.contains("Luis Ferreira") && !ng_page.contains("Maya Ortiz"));
    let grace_page = app
        .page_as(&counselor, &format!("/staff/nominations?class={class}"))
        .await;
    assert!(!grace_page.contains("Luis Ferreira"));
    let all = app
        .store
        .nominations(precinct::domain::ClassId::new(class.parse().unwrap()), None)
        .await
        .unwrap();
    let luis = all.iter().find(|n| n.first_name == "Luis").unwrap().id;
    let maya = all.iter().find(|n| n.first_name == "Maya").unwrap().id;
    for action in ["withdraw", "accept", "confirm"] {
        assert_eq!(
            post_as(
                &app,
                Some(&counselor),
                &format!("/staff/nominations/{luis}/{action}"),
                &[]
            )
            .await,
            403,
            "{action}"
        );
    }
    assert_eq!(
        post_as(
            &app,
            Some(&northgate),
            &format!("/staff/nominations/{maya}/withdraw"),
            &[]
        )
        .await,
        403
    );
    // Counselors cannot decide, even for their own school.
    assert_eq!(
        post_as(
            &app,
            Some(&counselor),
            &format!("/staff/nominations/{maya}/accept"),
            &[]
        )
        .await,
        403
    );
    assert_eq!(
        post_as(&app, Some(&counselor), "/staff/nominations/999999/withdraw", &[]).await,
        404
    );
    assert_eq!(
        post_as(
            &app,
            Some(&northgate),
            &format!("/staff/nominations/{luis}/withdraw"),
            &[]
        )
        .await,
        303
    );
    // Counselor API tokens read no roster, attendance or verdicts, whatever the id.
    let api = crate::manage::token(&app, "counselor");
    for path in ["registrations", "attendance", "graduation"] {
        let url = format!("/api/v1/classes/{class}/{path}");
        let (status, _) =
            crate::manage::send(&app, reqwest::Method::GET, &url, Some(&api), &serde_json::Value::Null).await;
        assert_eq!(status, 403, "{path}");
    }
}

async fn grades_and_quotas_hold(backend: Backend) {
    let app = spawn(backend).await;
    let class = cohort(&app).await.to_string();
    let counselor = session(&app, COUNSELOR).await;
    let coordinator = session(&app, COORDINATOR).await;
    let bayside = school_id(&app, "Bayside High School").await.to_string();
    for grade in ["10", "13", "senior"] {
        let res = app
            .client
            .post(format!("{}/staff/nominations", app.address))
            .header(COOKIE, &counselor)
            .form(&nomination(&class, &bayside, grade, "BS-1"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422, "{grade}");
        assert!(res.text().await.unwrap().contains("choose grade 11 or 12"));
    }
    // Bayside has one nomination in the demo; a quota of two leaves one place.
    let quota = [("class", class.as_str()), ("school", bayside.as_str()), ("seats", "2")];
    assert_eq!(
        post_as(&app, Some(&counselor), "/staff/nominations/quota", &quota).await,
        403
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/nominations/quota", &quota).await,
        303
    );
    let (status, location, _) = crate::actors::post_page(
        &app,
        &counselor,
        "/staff/nominations",
        &nomination(&class, &bayside, "12", "BS-1"),
    )
    .await;
    assert_eq!(status, 303);
    // The next nomination starts at the same school (the counselor has two).
    let next = app.page_as(&counselor, &location.unwrap()).await;
    assert!(next.contains("The nomination is filed."), "{next}");
    assert!(
        next.contains(&format!(r#"<option value="{bayside}" selected>"#)),
        "{next}"
    );
    let res = app
        .client
        .post(format!("{}/staff/nominations", app.address))
        .header(COOKIE, &counselor)
        .form(&nomination(&class, &bayside, "12", "BS-2"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("quota for the cohort (2) is used up")
    );
    // The same student twice is refused too, with a message.
    let harbor = school_id(&app, "Harbor Point High School").await.to_string();
    let res = app
        .client
        .post(format!("{}/staff/nominations", app.address))
        .header(COOKIE, &counselor)
        .form(&nomination(&class, &harbor, "11", "HP-20931"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("already nominated"));
}

fn consent_token(body: &str) -> String {
    let start = body.find("/consent/").expect("a consent link") + "/consent/".len();
    body[start..].split_whitespace().next().unwrap().to_string()
}

async fn guardians_consent_once_before_confirmation(backend: Backend) {
    let app = spawn(backend).await;
    let class = cohort(&app).await;
    let coordinator = session(&app, COORDINATOR).await;
    let all = app
        .store
        .nominations(precinct::domain::ClassId::new(class), None)
        .await
        .unwrap();
    let maya = all.iter().find(|n| n.first_name == "Maya").unwrap().clone();
    let devon = all.iter().find(|n| n.first_name == "Devon").unwrap().clone();
    let act = |id: precinct::domain::NominationId, action: &'static str| format!("/staff/nominations/{id}/{action}");
    assert_eq!(
        post_as(&app, Some(&coordinator), &act(maya.id, "confirm"), &[]).await,
        409,
        "not accepted yet"
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &act(maya.id, "accept"), &[]).await,
        303
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &act(maya.id, "accept"), &[]).await,
        409,
        "once"
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &act(maya.id, "confirm"), &[]).await,
        409,
        "no consent yet"
    );
    let message = app
        .mailbox(&maya.guardian_email)
        .await
        .pop()
        .expect("the guardian is emailed");
    assert_eq!(message.kind, "guardian_consent");
    let token = consent_token(&message.body_text);
    let path = format!("/consent/{token}");
    let (status, page) = app.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Consent for Maya Ortiz") && page.contains("12 months after the semester ends"));
    assert!(page.contains("Schedule (12 evenings)"));
    let sign = |name: &'static str| {
        vec![
            ("name", name),
            ("media", "yes"),
            ("emergency_name", "Luis Ortiz"),
            ("emergency_phone", "(555) 010-4321"),
            ("medical_notes", "Peanut allergy; carries an auto-injector."),
        ]
    };
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .form(&sign("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422, "a signature is a typed name");
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .form(&[("name", "Elena Ortiz"), ("emergency_name", ""), ("emergency_phone", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422, "an emergency contact is required");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Name someone we can call in an emergency")
    );
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .form(&sign("Elena Ortiz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap().contains("Your consent is recorded"));
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .form(&sign("Someone Else"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 410, "the link works once");
    assert_eq!(app.get(&path).await.status().as_u16(), 410);
    let signed = app.store.nomination(maya.id).await.unwrap().unwrap();
    assert_eq!(signed.emergency_phone.as_deref(), Some("(555) 010-4321"));
    assert_eq!(
        signed.medical_notes.as_deref(),
        Some("Peanut allergy; carries an auto-injector.")
    );
    // The guardian gets a copy of what was signed; the medical notes are named, not
    // repeated, since staff can read the outbox.
    let copy = app
        .mailbox(&maya.guardian_email)
        .await
        .into_iter()
        .find(|m| m.kind == "guardian_consent_copy")
        .expect("a copy of the consent");
    assert!(copy.body_text.contains("Signed by: Elena Ortiz") && copy.body_text.contains("Luis Ortiz, (555) 010-4321"));
    assert!(copy.body_text.contains("Medical notes: given") && !copy.body_text.contains("Peanut"));
    // Staff see the emergency contact; the medical notes only while their role is named.
    let page = app.page_as(&coordinator, "/staff/nominations").await;
    assert!(
        page.contains("Emergency contact: Luis Ortiz") && page.contains("Peanut allergy"),
        "{page}"
    );
    let admin = session(&app, crate::actors::ADMIN).await;
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/settings", &[("admin", "yes")]).await,
        303
    );
    let page = app.page_as(&coordinator, "/staff/nominations").await;
    assert!(page.contains("Emergency contact: Luis Ortiz") && !page.contains("Peanut"));
    assert!(page.contains("Medical notes: given (visible only to the roles the department names)"));
    assert_eq!(signed.consent_name.as_deref(), Some("Elena Ortiz"));
    assert_eq!(
        signed.consent_version.as_deref(),
        Some(precinct::domain::nomination::CONSENT_TEXT_VERSION)
    );
    assert!(signed.media_consent);
    assert_eq!(
        post_as(&app, Some(&coordinator), &act(maya.id, "confirm"), &[]).await,
        303
    );
    assert_eq!(
        app.store.nomination(maya.id).await.unwrap().unwrap().status,
        "confirmed"
    );

    // An unused link expires after two weeks.
    assert_eq!(
        post_as(&app, Some(&coordinator), &act(devon.id, "accept"), &[]).await,
        303
    );
    let message = app.mailbox(&devon.guardian_email).await.pop().unwrap();
    let token = consent_token(&message.body_text);
    let later = Timestamp::now() + SignedDuration::from_hours(24 * 15);
    let expired =
        precinct::service::nominations::consent(&app.store, &token, &consent_form("Marcus Clarke"), later).await;
    assert!(matches!(expired, Err(precinct::service::Error::NotFound(_))));
    // A decline needs a reason.
    let priya = all.iter().find(|n| n.first_name == "Priya").unwrap().id;
    assert_eq!(
        post_as(&app, Some(&coordinator), &act(priya, "decline"), &[("reason", " ")]).await,
        422
    );
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &act(priya, "decline"),
            &[("reason", "Schedule conflict with team practice")]
        )
        .await,
        303
    );
    let audit = app.store.audit_entries(Some("nomination"), 20).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"nomination.consent")
            && actions.contains(&"nomination.confirm")
            && actions.contains(&"nomination.decline")
    );
}

async fn coordinators_add_schools_and_counselors_who_choose_their_password(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let officer = session(&app, PRESENTING_OFFICER).await;
    let school = [
        ("name", "Lighthouse High School"),
        ("district", "Harbor Point Unified School District"),
        ("address", ""),
    ];
    assert_eq!(post_as(&app, Some(&officer), "/staff/schools", &school).await, 403);
    assert_eq!(post_as(&app, Some(&coordinator), "/staff/schools", &school).await, 303);
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/schools", &school).await,
        422,
        "names are unique"
    );
    let id = school_id(&app, "Lighthouse High School").await.to_string();
    let counselor = [
        ("full_name", "Rita Okoye"),
        ("email", "rita.okoye@schools.example"),
        ("school", id.as_str()),
    ];
    let bad = [("full_name", ""), ("email", "not-an-email"), ("school", "999999")];
    let res = app
        .client
        .post(format!("{}/staff/schools/counselors", app.address))
        .header(COOKIE, &coordinator)
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let text = res.text().await.unwrap();
    assert!(text.contains("full name") && text.contains("email address") && text.contains("Choose the counselor"));
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/schools/counselors", &counselor).await,
        303
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/schools/counselors", &counselor).await,
        422,
        "one account per email"
    );
    // The welcome email's link sets the password; then the counselor signs in and sees the school.
    let welcome = app.mailbox("rita.okoye@schools.example").await.pop().unwrap();
    assert_eq!(welcome.kind, "staff_welcome");
    let start = welcome.body_text.find("/staff/password-reset/").unwrap();
    let path = welcome.body_text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let password = "a harbor counselor passphrase";
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .form(&[("password", password), ("confirm", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .client
        .post(format!("{}/staff/sign-in", app.address))
        .form(&[("email", "rita.okoye@schools.example"), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let rita = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = app.page_as(&rita, "/staff/nominations").await;
    assert!(page.contains("Lighthouse High School") && !page.contains("Bayside High School"));
    // Linking a second school widens what she sees.
    let counselors = app.store.counselors().await.unwrap();
    let rita_id = counselors
        .iter()
        .find(|c| c.2 == "rita.okoye@schools.example")
        .unwrap()
        .0
        .to_string();
    let bayside = school_id(&app, "Bayside High School").await.to_string();
    let link = [("counselor", rita_id.as_str()), ("school", bayside.as_str())];
    assert_eq!(post_as(&app, Some(&officer), "/staff/schools/link", &link).await, 403);
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/schools/link", &link).await,
        303
    );
    assert!(app.page_as(&rita, "/staff/nominations").await.contains("Priya Raman"));
    assert!(
        app.page_as(&coordinator, "/staff/schools")
            .await
            .contains("Rita Okoye (rita.okoye@schools.example)")
    );
}

async fn retention_erases_minors_details_when_due_and_nothing_else(backend: Backend) {
    let app = spawn(backend).await;
    let class = cohort(&app).await;
    let c = precinct::domain::ClassId::new(class);
    let admin = session(&app, crate::actors::ADMIN).await;
    let coordinator = session(&app, COORDINATOR).await;
    let counselor = session(&app, COUNSELOR).await;
    let maya = app
        .store
        .nominations(c, None)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.first_name == "Maya")
        .unwrap();
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/nominations/{}/accept", maya.id),
            &[]
        )
        .await,
        303
    );
    assert_eq!(app.mailbox(&maya.guardian_email).await.len(), 1);

    // One student's data, on request: coordinators only.
    let export = format!("/staff/nominations/{}/export", maya.id);
    assert_eq!(get_as(&app, Some(&counselor), &export).await, 403);
    let json: serde_json::Value = serde_json::from_str(&app.page_as(&coordinator, &export).await).unwrap();
    assert_eq!(json["student"]["first_name"], "Maya");
    assert_eq!(json["guardian"]["email"], maya.guardian_email.as_str());
    let actions: Vec<&str> = json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["nomination.accept"]);

    // Nothing is due yet: the page lists both teen cohorts, running it erases nothing.
    assert_eq!(get_as(&app, Some(&coordinator), "/staff/retention").await, 403);
    let page = app.page_as(&admin, "/staff/retention").await;
    assert!(page.contains("Records still held"), "{page}");
    let res = app
        .client
        .post(format!("{}/staff/retention", app.address))
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("Erased 0 records."));

    // Three years on, the job erases both teen cohorts' people and keeps the counts.
    let citizen = app.class_id("Class 33").await;
    let citizen_before = app.store.roster(precinct::domain::ClassId::new(citizen)).await.unwrap();
    let later = Timestamp::now() + SignedDuration::from_hours(24 * 365 * 3);
    let round = precinct::jobs::run_once(&app.state.jobs(), later).await.unwrap();
    assert_eq!(
        round.minor_records_erased,
        3 + 11,
        "three nominations and this semester's eleven participants"
    );
    let after = app.store.nominations(c, None).await.unwrap();
    assert_eq!(after.len(), 3, "the rows stay for counts");
    assert!(
        after
            .iter()
            .all(|n| n.first_name.is_empty() && n.guardian_email.is_empty() && n.consent_name.is_none())
    );
    let grades: Vec<i64> = after.iter().map(|n| n.grade).collect();
    assert!(grades.contains(&11) && grades.contains(&12), "grades stay");
    assert!(
        app.mailbox(&maya.guardian_email).await.is_empty(),
        "the consent email is gone"
    );
    let citizen_after = app.store.roster(precinct::domain::ClassId::new(citizen)).await.unwrap();
    assert_eq!(
        citizen_before.iter().map(|r| &r.email).collect::<Vec<_>>(),
        citizen_after.iter().map(|r| &r.email).collect::<Vec<_>>(),
        "adults' applications are untouched"
    );
    let again = precinct::jobs::run_once(&app.state.jobs(), later).await.unwrap();
    assert_eq!(again.minor_records_erased, 0, "erased once");
    let json: serde_json::Value = serde_json::from_str(&app.page_as(&coordinator, &export).await).unwrap();
    assert_eq!(json["student"]["first_name"], "");
    let audit = app.store.audit_entries(Some("class"), 10).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "retention.erase").count(), 2);
    assert!(
        audit
            .iter()
            .all(|e| !e.after_json.as_deref().unwrap_or("").contains("Ortiz"))
    );
}

async fn confirmed_nominees_attend_and_their_school_gets_a_credit_report(backend: Backend) {
    use crate::manage::{send, token};
    use reqwest::Method;
    use serde_json::{Value, json};
    let app = spawn(backend).await;
    let class = cohort(&app).await;
    let c = precinct::domain::ClassId::new(class);
    let coordinator = session(&app, COORDINATOR).await;
    let counselor = session(&app, COUNSELOR).await;
    let northgate = northgate_counselor(&app).await;
    let maya = app
        .store
        .nominations(c, None)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.first_name == "Maya")
        .unwrap();
    post_as(
        &app,
        Some(&coordinator),
        &format!("/staff/nominations/{}/accept", maya.id),
        &[],
    )
    .await;
    let message = app.mailbox(&maya.guardian_email).await.pop().unwrap();
    let token_text = consent_token(&message.body_text);
    precinct::service::nominations::consent(&app.store, &token_text, &consent_form("Elena Ortiz"), Timestamp::now())
        .await
        .unwrap();
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/nominations/{}/confirm", maya.id),
            &[]
        )
        .await,
        303
    );
    let participant = app
        .store
        .nomination(maya.id)
        .await
        .unwrap()
        .unwrap()
        .application_id
        .expect("a participant now");
    let people = app.store.participants(c).await.unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!((people[0].id, people[0].first_name.as_str()), (participant, "Maya"));

    // The cohort runs: every session attended, then graduation.
    crate::attendance::hold_in_the_past(&app, &coordinator, class).await;
    let api = token(&app, "coordinator");
    for status in ["open", "closed", "in_progress"] {
        let (s, body) = send(
            &app,
            Method::PATCH,
            &format!("/api/v1/classes/{class}"),
            Some(&api),
            &json!({ "status": status }),
        )
        .await;
        assert_eq!(s, 200, "{body}");
    }
    let sheet = send(
        &app,
        Method::GET,
        &format!("/api/v1/classes/{class}/attendance"),
        Some(&api),
        &Value::Null,
    )
    .await
    .1;
    for s in sheet["sessions"].as_array().unwrap() {
        let put = format!("/api/v1/classes/{class}/sessions/{}/attendance", s["id"]);
        let marks = json!({"marks": [{"application_id": participant.get(), "mark": "present"}]});
        assert_eq!(send(&app, Method::PUT, &put, Some(&api), &marks).await.0, 200);
    }
    let harbor = school_id(&app, "Harbor Point High School").await;
    let report = format!("/staff/nominations/report.csv?class={class}&school={harbor}");
    let before = app.page_as(&counselor, &report).await;
    assert!(
        before.contains("Maya Ortiz,11,HP-20931,12,12,not decided yet,"),
        "{before}"
    );
    assert_eq!(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/classes/{class}/graduation"),
            Some(&api),
            &Value::Null
        )
        .await
        .0,
        200
    );
    let csv = app.page_as(&counselor, &report).await;
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "\u{feff}student,grade,student_id,sessions_attended,sessions_held,completed,credits",
            "Maya Ortiz,11,HP-20931,12,12,yes,0.5",
        ],
        "only confirmed students, with their credit (the BOM lets spreadsheets read UTF-8)"
    );
    assert_eq!(
        get_as(&app, Some(&northgate), &report).await,
        403,
        "another school's report"
    );
    assert_eq!(get_as(&app, Some(&coordinator), &report).await, 200);
    // The same report as a PDF, and by email to the school's counselor at graduation.
    let pdf = app
        .client
        .get(format!(
            "{}/staff/nominations/report.pdf?class={class}&school={harbor}",
            app.address
        ))
        .header(COOKIE, &counselor)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status().as_u16(), 200);
    let text = crate::attendance::pdf_text(&pdf.bytes().await.unwrap());
    assert!(
        text.contains("Maya Ortiz") && text.contains("Harbor Point High School") && text.contains("0.5"),
        "{text}"
    );
    let mail = app.mailbox(COUNSELOR).await;
    let report_mail = mail
        .iter()
        .find(|m| m.kind == "credit_report")
        .expect("the counselor is emailed");
    assert!(
        report_mail
            .body_text
            .contains("Maya Ortiz (grade 11): attended 12, completed yes, 0.5 credit")
    );
    assert!(report_mail.body_text.contains("/staff/nominations/report.pdf?class="));
    assert_eq!(
        mail.iter().filter(|m| m.kind == "credit_report").count(),
        1,
        "Bayside had nobody confirmed"
    );
    // Years later the names go, certificates included; the number still verifies.
    let number = app
        .store
        .class_certificates(c)
        .await
        .unwrap()
        .remove(&participant)
        .expect("Maya graduated");
    let later = Timestamp::now() + SignedDuration::from_hours(24 * 365 * 3);
    precinct::jobs::run_once(&app.state.jobs(), later).await.unwrap();
    let (status, page) = app.get_text(&format!("/certificates/{number}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("whose name was removed") && !page.contains("Maya"),
        "{page}"
    );
}

async fn counselors_correct_their_own_nominations_until_a_decision(backend: Backend) {
    let app = spawn(backend).await;
    let class = cohort(&app).await;
    let c = precinct::domain::ClassId::new(class);
    let counselor = session(&app, COUNSELOR).await;
    let northgate = northgate_counselor(&app).await;
    let coordinator = session(&app, COORDINATOR).await;
    let devon = app
        .store
        .nominations(c, None)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.first_name == "Devon")
        .unwrap();
    let edit = format!("/staff/nominations/{}/edit", devon.id);
    assert_eq!(
        get_as(&app, Some(&northgate), &edit).await,
        403,
        "another school's student"
    );
    assert!(app.page_as(&counselor, &edit).await.contains("value=\"HP-19877\""));
    let form = |grade: &'static str, email: &'static str| {
        vec![
            ("first_name", "Devon"),
            ("last_name", "Clarke"),
            ("grade", grade),
            ("student_number", "HP-19877"),
            ("guardian_name", "Marcus Clarke"),
            ("guardian_email", email),
        ]
    };
    assert_eq!(
        post_as(&app, Some(&northgate), &edit, &form("12", "m.clarke@family.example")).await,
        403
    );
    assert_eq!(
        post_as(&app, Some(&counselor), &edit, &form("9", "m.clarke@family.example")).await,
        422
    );
    assert_eq!(
        post_as(&app, Some(&counselor), &edit, &form("12", "m.clarke@family.example")).await,
        303
    );
    let fixed = app.store.nomination(devon.id).await.unwrap().unwrap();
    assert_eq!(fixed.guardian_email, "m.clarke@family.example");
    let audit = app.store.audit_entries(Some("nomination"), 5).await.unwrap();
    assert_eq!(
        audit[0].after_json.as_deref(),
        Some(r#"{"changed":["guardian_email"]}"#),
        "field names, no values"
    );
    // Once the coordinator decides, corrections stop (the consent email went to that address).
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/nominations/{}/accept", devon.id),
            &[]
        )
        .await,
        303
    );
    assert_eq!(
        app.mailbox("m.clarke@family.example").await.len(),
        1,
        "the corrected address"
    );
    assert_eq!(
        post_as(&app, Some(&counselor), &edit, &form("12", "other@family.example")).await,
        409
    );
}

async fn a_guardian_may_decline_and_the_student_is_not_confirmed(backend: Backend) {
    let app = spawn(backend).await;
    let class = cohort(&app).await;
    let coordinator = session(&app, COORDINATOR).await;
    let devon = app
        .store
        .nominations(precinct::domain::ClassId::new(class), None)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.first_name == "Devon")
        .unwrap();
    let act = |action: &'static str| format!("/staff/nominations/{}/{action}", devon.id);
    assert_eq!(post_as(&app, Some(&coordinator), &act("accept"), &[]).await, 303);
    let message = app
        .mailbox(&devon.guardian_email)
        .await
        .into_iter()
        .find(|m| m.kind == "guardian_consent")
        .expect("the guardian is emailed");
    let path = format!("/consent/{}", consent_token(&message.body_text));
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .form(&[("answer", "decline")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap().contains("You declined"));
    assert_eq!(app.get(&path).await.status().as_u16(), 410, "the link is used up");
    let row = app.store.nomination(devon.id).await.unwrap().unwrap();
    assert!(row.consent_declined_at.is_some() && row.consent_at.is_none());
    assert_eq!(post_as(&app, Some(&coordinator), &act("confirm"), &[]).await, 409);
    let audit = app.store.audit_for("nomination", &devon.id.to_string()).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "nomination.consent_declined"));
}

on_both_backends!(
    a_guardian_may_decline_and_the_student_is_not_confirmed,
    counselors_see_and_change_only_their_own_schools,
    grades_and_quotas_hold,
    guardians_consent_once_before_confirmation,
    coordinators_add_schools_and_counselors_who_choose_their_password,
    retention_erases_minors_details_when_due_and_nothing_else,
    confirmed_nominees_attend_and_their_school_gets_a_credit_report,
    counselors_correct_their_own_nominations_until_a_decision,
);

/// A guardian's signed consent with an emergency contact and no medical notes.
fn consent_form(name: &str) -> precinct::service::nominations::ConsentForm<'_> {
    precinct::service::nominations::ConsentForm {
        typed_name: name,
        media: false,
        emergency_name: name,
        emergency_phone: "(555) 010-7777",
        medical_notes: "",
    }
}
