//! The back office over real HTTP: sign-in, sessions, sign-in throttling, CSRF, the
//! role × route matrix, the audit log and the staff API.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::actors::{
    ADMIN, COORDINATOR, OTHER_OFFICER, PASSWORD, PRESENTING_OFFICER, get_as, post_as, post_form, post_page, session,
    set_password, staff_sign_in as sign_in,
};
use crate::applications::{applicant, apply, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

/// Expected answers per actor, in the order anonymous, admin, coordinator, presenting
/// officer, other officer, counselor. 303 for anonymous is the redirect to sign in.
type Row = (&'static str, String, Vec<(&'static str, String)>, [u16; 6]);

async fn every_role_meets_the_permission_table_on_every_route(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let teen = app.get_json("/api/v1/classes?program=teen-academy").await["classes"][0]["id"]
        .as_i64()
        .unwrap();
    let counselor_email = "counselor@school.example";
    let mut tx = app.store.begin().await.unwrap();
    tx.insert_staff(
        &precinct::store::seed::NewStaff {
            email: counselor_email,
            full_name: "Pat Counselor",
            rank: None,
            badge_number: None,
            role: precinct::domain::Role::Counselor,
            password_hash: None,
            public_profile: false,
        },
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let c = precinct::domain::ClassId::new(class);
    let participant = app.store.participants(c).await.unwrap()[0].id.get();
    let session_id = app.get_json(&format!("/api/v1/classes/{class}")).await["sessions"][0]["id"]
        .as_i64()
        .unwrap();
    let teen_session = app.get_json(&format!("/api/v1/classes/{teen}")).await["sessions"][0]["id"]
        .as_i64()
        .unwrap();
    let slot = app.store.ride_along_slots(c).await.unwrap()[0].id;
    let (_, pending) = apply(&app, c, &applicant(1), None).await;
    let pending = pending["id"].as_i64().unwrap();
    // A class nobody presents yet: officers' ids of other classes answer 403.
    let unpresented = crate::applications::open_class(&app, Default::default()).await.get();

    let mut actors: Vec<(&str, Option<String>)> = vec![("anonymous", None)];
    for (name, email) in [
        ("admin", ADMIN),
        ("coordinator", COORDINATOR),
        ("presenting officer", PRESENTING_OFFICER),
        ("other officer", OTHER_OFFICER),
        ("counselor", counselor_email),
    ] {
        actors.push((name, Some(session(&app, email).await)));
    }
    const EVERYONE: [u16; 6] = [303, 200, 200, 200, 200, 200];
    const CLASS_STAFF: [u16; 6] = [303, 200, 200, 200, 403, 403];
    const RUNNERS: [u16; 6] = [303, 200, 200, 403, 403, 403];
    const EVERYONE_303: [u16; 6] = [303, 303, 303, 303, 303, 303];
    const ADMIN_ONLY: [u16; 6] = [303, 200, 403, 403, 403, 403];
    const ADMIN_422: [u16; 6] = [303, 422, 403, 403, 403, 403];
    const ADMIN_404: [u16; 6] = [303, 404, 403, 403, 403, 403];
    let admin_id = app
        .store
        .people()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.email == ADMIN)
        .unwrap()
        .id;
    let cls = |rest: &str| format!("/staff/classes/{class}{rest}");
    let ses = |rest: &str| format!("/staff/classes/{class}/sessions/{session_id}{rest}");
    let f = |pairs: &[(&'static str, &str)]| pairs.iter().map(|(k, v)| (*k, v.to_string())).collect::<Vec<_>>();
    let p = participant.to_string();
    // Authorized requests are chosen so they change nothing (an impossible move, a bad
    // form, an id of another class); the codes show the check happened and passed.
    let rows: Vec<Row> = vec![
        ("GET", "/staff".into(), vec![], EVERYONE),
        ("GET", "/staff/two-factor".into(), vec![], EVERYONE),
        ("GET", "/staff/password".into(), vec![], EVERYONE),
        (
            "POST",
            "/staff/password".into(),
            f(&[("current", "guess")]),
            [303, 422, 422, 422, 422, 422],
        ),
        ("GET", "/staff/classes/new".into(), vec![], RUNNERS),
        (
            "POST",
            "/staff/classes/new".into(),
            f(&[("name", "")]),
            [303, 422, 422, 403, 403, 403],
        ),
        ("GET", cls(""), vec![], CLASS_STAFF),
        (
            "GET",
            format!("/staff/classes/{unpresented}"),
            vec![],
            [303, 200, 200, 403, 403, 403],
        ),
        (
            "POST",
            cls("/status"),
            f(&[("status", "announced")]),
            [303, 409, 409, 403, 403, 403],
        ),
        ("GET", cls("/rules"), vec![], RUNNERS),
        ("GET", cls("/edit"), vec![], RUNNERS),
        ("POST", cls("/edit"), f(&[("name", "")]), [303, 422, 422, 403, 403, 403]),
        ("POST", cls("/rules"), vec![], [303, 422, 422, 403, 403, 403]),
        (
            "POST",
            cls("/capacity"),
            f(&[("capacity", "lots")]),
            [303, 422, 422, 403, 403, 403],
        ),
        ("GET", "/staff/audit".into(), vec![], [303, 200, 403, 403, 403, 403]),
        ("GET", "/staff/outbox".into(), vec![], RUNNERS),
        ("GET", "/staff/programs/citizen-academy/survey".into(), vec![], RUNNERS),
        (
            "POST",
            "/staff/programs/citizen-academy/survey".into(),
            vec![],
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "GET",
            "/staff/programs/citizen-academy/survey/results".into(),
            vec![],
            RUNNERS,
        ),
        (
            "GET",
            "/staff/programs/citizen-academy/survey/results.csv".into(),
            vec![],
            RUNNERS,
        ),
        ("GET", "/staff/alumni".into(), vec![], RUNNERS),
        ("POST", "/staff/alumni".into(), vec![], [303, 422, 422, 403, 403, 403]),
        ("GET", "/staff/traffic".into(), vec![], RUNNERS),
        ("POST", "/staff/traffic".into(), vec![], [303, 422, 422, 403, 403, 403]),
        (
            "GET",
            "/staff/traffic/999999".into(),
            vec![],
            [303, 404, 404, 404, 404, 404],
        ),
        ("GET", "/staff/account".into(), vec![], EVERYONE),
        ("GET", "/staff/profile".into(), vec![], EVERYONE),
        (
            "GET",
            "/staff/profile/photo.jpg".into(),
            vec![],
            [303, 404, 404, 404, 404, 404],
        ),
        ("POST", "/staff/profile/photo/remove".into(), vec![], EVERYONE_303),
        ("GET", "/staff/dare".into(), vec![], [303, 200, 200, 200, 200, 403]),
        ("POST", "/staff/dare".into(), vec![], [303, 422, 422, 403, 403, 403]),
        (
            "GET",
            "/staff/dare/999999".into(),
            vec![],
            [303, 404, 404, 404, 404, 403],
        ),
        (
            "POST",
            "/staff/dare/999999/lessons/1".into(),
            vec![],
            [303, 404, 404, 404, 404, 403],
        ),
        (
            "POST",
            "/staff/dare/999999/graduation".into(),
            vec![],
            [303, 404, 404, 404, 404, 403],
        ),
        (
            "POST",
            "/staff/dare/999999/cancel".into(),
            f(&[("confirm", "yes")]),
            [303, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/dare/999999/certificates".into(),
            vec![],
            [303, 404, 404, 404, 404, 403],
        ),
        ("GET", "/staff/training".into(), vec![], [303, 200, 200, 200, 200, 403]),
        ("POST", "/staff/training".into(), vec![], [303, 422, 422, 422, 422, 403]),
        ("GET", "/staff/duties".into(), vec![], RUNNERS),
        ("POST", "/staff/duties".into(), vec![], [303, 422, 422, 403, 403, 403]),
        (
            "POST",
            "/staff/duties/999999/end".into(),
            vec![],
            [303, 422, 422, 403, 403, 403],
        ),
        ("GET", "/staff/activity".into(), vec![], [303, 200, 200, 200, 200, 403]),
        ("POST", "/staff/activity".into(), vec![], [303, 422, 422, 422, 422, 403]),
        (
            "GET",
            "/staff/activity/999999".into(),
            vec![],
            [303, 404, 404, 404, 404, 403],
        ),
        (
            "GET",
            "/staff/activity/summary.csv".into(),
            vec![],
            [303, 200, 200, 200, 200, 403],
        ),
        ("GET", "/staff/reports/annual".into(), vec![], RUNNERS),
        ("GET", "/staff/reports/engagement".into(), vec![], RUNNERS),
        ("GET", "/staff/reports/engagement.csv".into(), vec![], RUNNERS),
        ("GET", "/staff/reports/annual.pdf".into(), vec![], RUNNERS),
        ("GET", "/staff/calendar".into(), vec![], EVERYONE),
        ("GET", "/staff/content".into(), vec![], RUNNERS),
        ("GET", "/staff/content/new".into(), vec![], RUNNERS),
        (
            "POST",
            "/staff/content/new".into(),
            vec![],
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "GET",
            "/staff/content/999999".into(),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        ("GET", "/staff/requests".into(), vec![], [303, 200, 200, 200, 200, 403]),
        (
            "GET",
            "/staff/requests/999999".into(),
            vec![],
            [303, 404, 404, 404, 404, 403],
        ),
        (
            "POST",
            "/staff/requests/999999".into(),
            vec![],
            [303, 404, 404, 404, 404, 403],
        ),
        ("POST", "/staff/calendar".into(), vec![], EVERYONE),
        (
            "GET",
            "/staff/outbox/999999".into(),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/outbox/999999/resend".into(),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        ("GET", "/staff/review".into(), vec![], RUNNERS),
        (
            "GET",
            "/staff/nominations".into(),
            vec![],
            [303, 200, 200, 403, 403, 200],
        ),
        (
            "POST",
            "/staff/nominations".into(),
            vec![],
            [303, 403, 403, 403, 403, 404],
        ),
        (
            "POST",
            "/staff/nominations/quota".into(),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/nominations/999999/accept".into(),
            vec![],
            [303, 404, 404, 404, 404, 404],
        ),
        ("GET", cls("/copy"), vec![], RUNNERS),
        (
            "POST",
            cls("/copy"),
            f(&[("name", ""), ("step", "preview")]),
            [303, 422, 422, 403, 403, 403],
        ),
        ("GET", "/staff/holidays".into(), vec![], RUNNERS),
        (
            "POST",
            "/staff/holidays".into(),
            f(&[("date", "someday"), ("name", "")]),
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/holidays/remove".into(),
            f(&[("date", "1999-01-01")]),
            [303, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/holidays/federal".into(),
            f(&[("year", "soon")]),
            [303, 400, 400, 403, 403, 403],
        ),
        ("GET", "/staff/settings".into(), vec![], [303, 200, 403, 403, 403, 403]),
        (
            "POST",
            "/staff/settings".into(),
            f(&[("admin", "yes"), ("coordinator", "yes")]),
            [303, 303, 403, 403, 403, 403],
        ),
        ("POST", "/staff/settings/department".into(), vec![], ADMIN_422),
        (
            "POST",
            "/staff/settings/logo".into(),
            vec![],
            [303, 400, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/settings/logo/remove".into(),
            vec![],
            [303, 303, 403, 403, 403, 403],
        ),
        ("GET", "/staff/people".into(), vec![], ADMIN_ONLY),
        ("POST", "/staff/people".into(), vec![], ADMIN_422),
        ("GET", format!("/staff/people/{admin_id}"), vec![], ADMIN_ONLY),
        ("POST", format!("/staff/people/{admin_id}"), vec![], ADMIN_422),
        (
            "POST",
            format!("/staff/people/{admin_id}/active"),
            f(&[("active", "maybe")]),
            [303, 400, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/people/987654/two-factor-reset".into(),
            vec![],
            ADMIN_404,
        ),
        ("POST", "/staff/people/987654/invitation".into(), vec![], ADMIN_404),
        ("GET", "/staff/units".into(), vec![], ADMIN_ONLY),
        ("POST", "/staff/units".into(), vec![], ADMIN_422),
        (
            "POST",
            "/staff/units/987654".into(),
            f(&[("name", "Harbor Patrol")]),
            ADMIN_404,
        ),
        ("POST", "/staff/units/987654/delete".into(), vec![], ADMIN_404),
        ("GET", "/staff/tokens".into(), vec![], ADMIN_ONLY),
        ("POST", "/staff/tokens".into(), vec![], ADMIN_422),
        ("POST", "/staff/tokens/987654/revoke".into(), vec![], ADMIN_404),
        ("GET", ses(""), vec![], CLASS_STAFF),
        (
            "GET",
            format!("/staff/classes/{class}/sessions/{teen_session}"),
            vec![],
            [303, 404, 404, 404, 404, 404],
        ),
        ("GET", ses("/edit"), vec![], RUNNERS),
        (
            "POST",
            ses("/edit"),
            f(&[("topic", "")]),
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "POST",
            ses("/attendance"),
            f(&[("application", &p), ("mark", "asleep")]),
            [303, 400, 400, 400, 403, 403],
        ),
        (
            "POST",
            ses("/make-up"),
            f(&[("application", &p), ("made_up", "maybe")]),
            [303, 400, 400, 400, 403, 403],
        ),
        (
            "GET",
            format!("/staff/classes/{class}/sessions/{teen_session}/cancel"),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            format!("/staff/classes/{class}/sessions/{teen_session}/cancel"),
            f(&[("confirm", "yes")]),
            [303, 404, 404, 403, 403, 403],
        ),
        ("GET", cls("/cancel"), vec![], RUNNERS),
        (
            "GET",
            "/staff/classes/987654/cancel".into(),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/classes/987654/cancel".into(),
            f(&[("confirm", "yes")]),
            [303, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            cls("/email"),
            f(&[("audience", "nobody")]),
            [303, 422, 422, 403, 403, 403],
        ),
        ("GET", cls("/import"), vec![], RUNNERS),
        ("POST", cls("/import"), vec![], [303, 400, 400, 403, 403, 403]),
        (
            "POST",
            format!("/staff/applications/{p}/move"),
            f(&[("position", "x")]),
            [303, 422, 422, 403, 403, 403],
        ),
        ("GET", cls("/graduation"), vec![], CLASS_STAFF),
        ("POST", cls("/graduation"), vec![], [303, 409, 409, 403, 403, 403]),
        (
            "GET",
            "/staff/certificates/HPPD-0000-0000".into(),
            vec![],
            [303, 404, 404, 404, 404, 404],
        ),
        (
            "POST",
            cls("/ride-along"),
            f(&[("application", &p), ("done", "no")]),
            [303, 303, 303, 303, 403, 403],
        ),
        ("GET", cls("/ride-alongs"), vec![], CLASS_STAFF),
        ("POST", cls("/ride-alongs"), vec![], [303, 422, 422, 403, 403, 403]),
        (
            "POST",
            cls(&format!("/ride-alongs/{slot}x/delete")),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        ("GET", cls("/roster.csv"), vec![], CLASS_STAFF),
        ("GET", cls("/attendance.csv"), vec![], CLASS_STAFF),
        ("GET", cls("/applications/new"), vec![], RUNNERS),
        ("POST", cls("/applications"), vec![], [303, 422, 422, 403, 403, 403]),
        (
            "GET",
            "/staff/programs/citizen-academy/statistics".into(),
            vec![],
            RUNNERS,
        ),
        (
            "GET",
            "/staff/programs/citizen-academy/settings".into(),
            vec![],
            RUNNERS,
        ),
        (
            "POST",
            "/staff/programs/citizen-academy/settings".into(),
            vec![],
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "GET",
            "/staff/programs/citizen-academy/questions".into(),
            vec![],
            RUNNERS,
        ),
        (
            "POST",
            "/staff/programs/citizen-academy/questions".into(),
            vec![],
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "GET",
            "/staff/programs/citizen-academy/questions/999999".into(),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/programs/citizen-academy/questions/999999".into(),
            vec![],
            [303, 422, 422, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/programs/citizen-academy/questions/999999/remove".into(),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        (
            "POST",
            "/staff/programs/citizen-academy/questions/999999/move".into(),
            f(&[("direction", "sideways")]),
            [303, 400, 400, 403, 403, 403],
        ),
        (
            "GET",
            format!("/staff/applications/{pending}/answers/999999/file"),
            vec![],
            [303, 404, 404, 403, 403, 403],
        ),
        ("GET", format!("/staff/applications/{pending}"), vec![], RUNNERS),
        (
            "POST",
            format!("/staff/applications/{pending}/background-check"),
            f(&[("status", "x")]),
            [303, 400, 400, 403, 403, 403],
        ),
        (
            "POST",
            format!("/staff/applications/{pending}/decision"),
            f(&[("decision", "x")]),
            [303, 400, 400, 403, 403, 403],
        ),
        (
            "POST",
            format!("/staff/applications/{pending}/screening"),
            vec![],
            [303, 422, 422, 403, 403, 403],
        ),
    ];
    let mut failures = Vec::new();
    for (method, path, form, want) in &rows {
        let mut got = [0u16; 6];
        for (i, (_, cookie)) in actors.iter().enumerate() {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            got[i] = match *method {
                "GET" => get_as(&app, cookie.as_deref(), path).await,
                _ => post_as(&app, cookie.as_deref(), path, &form).await,
            };
        }
        if got != *want {
            failures.push(format!("{method} {path}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // Unknown and malformed ids answer 404 for everyone allowed to ask.
    let admin = actors[1].1.as_deref();
    assert_eq!(get_as(&app, admin, "/staff/classes/987654").await, 404);
    assert_eq!(get_as(&app, admin, "/staff/classes/abc").await, 404);
}

async fn sign_out_ends_the_session_on_the_server(backend: Backend) {
    let app = spawn(backend).await;
    let first = session(&app, ADMIN).await;
    let res = sign_in(&app, ADMIN, PASSWORD).await;
    let second = res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(first, second, "every sign-in gets a new session id");
    assert_eq!(get_as(&app, Some(&first), "/staff").await, 200);
    let res = app
        .client
        .post(format!("{}/staff/sign-out", app.address))
        .header(COOKIE, &first)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()[LOCATION], "/staff/sign-in");
    assert_eq!(
        get_as(&app, Some(&first), "/staff").await,
        303,
        "the old cookie no longer works"
    );
    assert_eq!(
        get_as(&app, Some(&second), "/staff").await,
        200,
        "other sessions are untouched"
    );
    assert_eq!(get_as(&app, Some("precinct_staff=forged"), "/staff").await, 303);
    // A password change ends every session of the account.
    set_password(&app, ADMIN).await;
    assert_eq!(get_as(&app, Some(&second), "/staff").await, 303);
}

/// Signs in from `client`, as a trusted proxy in front of the service reports it.
async fn sign_in_from(app: &TestApp, client: &str, email: &str, password: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/staff/sign-in", app.address))
        .header("x-forwarded-for", client)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// Status, `Retry-After` and page of a sign-in answer, with the echoed email blanked.
async fn answer(res: reqwest::Response, email: &str) -> (u16, Option<String>, String) {
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, res.text().await.unwrap().replace(email, "EMAIL"))
}

async fn behind_a_proxy(backend: Backend) -> TestApp {
    crate::helpers::spawn_app_with(
        backend,
        crate::helpers::Options {
            demo: true,
            trusted_proxies: vec!["127.0.0.1"],
            ..Default::default()
        },
    )
    .await
}

const WRONG: &str = "The email address, password or code is not right.";
const THROTTLED: &str = "Too many sign-in attempts from here. Try again in 15 minutes.";

async fn failed_sign_ins_answer_alike_for_staff_and_unknown_addresses(backend: Backend) {
    let app = behind_a_proxy(backend).await;
    set_password(&app, COORDINATOR).await;
    let unknown = "nobody@harborpoint-pd.example";
    for attempt in 1..=7 {
        let staff = answer(
            sign_in_from(&app, "198.51.100.1", COORDINATOR, "wrong password").await,
            COORDINATOR,
        )
        .await;
        let stranger = answer(
            sign_in_from(&app, "198.51.100.2", unknown, "wrong password").await,
            unknown,
        )
        .await;
        assert_eq!(staff, stranger, "attempt {attempt}: the same answer");
        let (status, retry, page) = staff;
        if attempt <= 5 {
            assert_eq!((status, retry), (401, None), "attempt {attempt}");
            assert!(page.contains(WRONG), "attempt {attempt}");
        } else {
            assert_eq!((status, retry.as_deref()), (429, Some("900")), "attempt {attempt}");
            assert!(page.contains(THROTTLED), "attempt {attempt}");
            assert!(!page.contains("locked"), "attempt {attempt}");
        }
    }
}

async fn a_stranger_cannot_lock_an_officer_out(backend: Backend) {
    let app = behind_a_proxy(backend).await;
    set_password(&app, COORDINATOR).await;
    let (stranger, officer) = ("203.0.113.7", "198.51.100.20");
    for _ in 0..5 {
        assert_eq!(
            sign_in_from(&app, stranger, COORDINATOR, "wrong password")
                .await
                .status()
                .as_u16(),
            401
        );
    }
    // Over the pair's budget the right password is refused too, or the throttle would
    // confirm a guess.
    let (status, _, page) = answer(sign_in_from(&app, stranger, COORDINATOR, PASSWORD).await, COORDINATOR).await;
    assert_eq!(status, 429, "refused even with the right password");
    assert!(page.contains(THROTTLED));
    assert_eq!(
        sign_in_from(&app, officer, COORDINATOR, PASSWORD)
            .await
            .status()
            .as_u16(),
        303,
        "the officer signs in from elsewhere"
    );

    // Guessing across many addresses runs into the client's own, larger budget, and
    // then even an address never tried from there is refused.
    for n in 0..15 {
        let email = format!("guess{n}@harborpoint-pd.example");
        assert_eq!(
            sign_in_from(&app, stranger, &email, "wrong password")
                .await
                .status()
                .as_u16(),
            401,
            "{email}"
        );
    }
    assert_eq!(
        sign_in_from(&app, stranger, ADMIN, "wrong password")
            .await
            .status()
            .as_u16(),
        429
    );
    assert_eq!(
        sign_in_from(&app, officer, COORDINATOR, PASSWORD)
            .await
            .status()
            .as_u16(),
        303,
        "still unaffected"
    );

    // The jobs forget failures once the window has passed.
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(16);
    precinct::jobs::run_once(&app.state.jobs(), later).await.unwrap();
    assert_eq!(
        sign_in_from(&app, stranger, COORDINATOR, PASSWORD)
            .await
            .status()
            .as_u16(),
        303
    );
}

async fn cross_site_staff_posts_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let admin = session(&app, ADMIN).await;
    let res = app
        .client
        .post(format!("{}/staff/classes/{class}/capacity", app.address))
        .header(COOKIE, &admin)
        .header("Origin", "https://attacker.example")
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("capacity", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let c = app.get_json(&format!("/api/v1/classes/{class}")).await;
    assert_eq!(c["capacity"], 30, "nothing changed");
}

async fn staff_changes_are_audited_and_the_log_is_append_only(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let coordinator = session(&app, COORDINATOR).await;
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/capacity"),
            &[("capacity", "32")]
        )
        .await,
        303
    );
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/status"),
            &[("status", "closed")]
        )
        .await,
        303
    );
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/capacity"),
            &[("capacity", "many")]
        )
        .await,
        422
    );
    // The demo's own graduations are in the log too; these are this class's entries.
    let entries: Vec<_> = app
        .store
        .audit_entries(Some("class"), 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.object_id == class.to_string())
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].action, "class.capacity");
    assert!(entries[1].actor.contains(COORDINATOR));
    assert_eq!(entries[1].before_json.as_deref(), Some(r#"{"capacity":30}"#));
    assert_eq!(entries[1].after_json.as_deref(), Some(r#"{"capacity":32}"#));
    assert_eq!(entries[0].action, "class.status");
    assert_eq!(entries[0].after_json.as_deref(), Some(r#"{"status":"closed"}"#));
    let admin = session(&app, ADMIN).await;
    let page = app.page_as(&admin, "/staff/audit?object=class").await;
    assert!(page.contains("class.capacity"));
    // The database itself refuses to rewrite history.
    let url = app.state.config.database_url();
    let rewrite = "UPDATE audit_log SET actor = 'someone else'";
    let refused = if url.starts_with("sqlite:") {
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        sqlx::query(rewrite).execute(&mut c).await.is_err()
    } else {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
        sqlx::query(rewrite).execute(&mut c).await.is_err()
    };
    assert!(refused, "audit rows cannot be updated");
}

async fn the_staff_api_answers_by_token_role(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    apply(&app, precinct::domain::ClassId::new(class), &applicant(1), None).await;
    let token = |role: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_precinct"))
            .args([
                "token",
                "create",
                "--role",
                role,
                "--name",
                &format!("{role}-token"),
                "--database-url",
            ])
            .arg(app.state.config.database_url())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(stdout.lines().count(), 1, "only the token is printed");
        stdout.trim().to_string()
    };
    let url = format!("{}/api/v1/classes/{class}/registrations", app.address);
    let status = |t: Option<String>| {
        let mut req = app.client.get(&url);
        if let Some(t) = t {
            req = req.bearer_auth(t);
        }
        async move { req.send().await.unwrap() }
    };
    let res = status(None).await;
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(status(Some("not-a-token".into())).await.status().as_u16(), 401);
    for (role, want) in [
        ("admin", 200),
        ("coordinator", 200),
        ("officer", 403),
        ("counselor", 403),
    ] {
        assert_eq!(status(Some(token(role))).await.status().as_u16(), want, "{role}");
    }
    let res = status(Some(token("coordinator"))).await;
    let body: serde_json::Value = res.json().await.unwrap();
    let emails: Vec<&str> = body["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.len(), 13, "12 demo applicants and one more");
    assert!(emails.contains(&"person1@example.org"));
    // The POST on the same path is still the public application endpoint.
    let (code, _) = apply(&app, precinct::domain::ClassId::new(class), &applicant(2), None).await;
    assert_eq!(code, 201);
}

async fn rosters_export_to_csv_safely(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let mut sly = applicant(7);
    sly["first_name"] = serde_json::json!("=HYPERLINK(\"http://x.example\")");
    sly["last_name"] = serde_json::json!("Núñez");
    assert_eq!(
        apply(&app, precinct::domain::ClassId::new(class), &sly, None).await.0,
        201
    );
    let coordinator = session(&app, COORDINATOR).await;
    let res = app
        .client
        .get(format!("{}/staff/classes/{class}/roster.csv", app.address))
        .header(COOKIE, &coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let body = res.bytes().await.unwrap();
    assert!(
        body.starts_with("\u{feff}".as_bytes()),
        "a byte order mark for spreadsheets"
    );
    let mut reader = csv::Reader::from_reader(&body[3..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[2], "first_name");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 13);
    let row = rows
        .iter()
        .find(|r| &r[3] == "Núñez")
        .expect("the new applicant round-trips");
    assert_eq!(&row[2], "'=HYPERLINK(\"http://x.example\")", "formulas are neutralized");
    assert_eq!(&row[6], "pending_review");

    let res = app
        .client
        .get(format!("{}/staff/classes/{class}/attendance.csv", app.address))
        .header(COOKIE, &coordinator)
        .send()
        .await
        .unwrap();
    let body = res.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&body[3..]);
    assert_eq!(
        reader.headers().unwrap().len(),
        2 + 12,
        "names and one column per session"
    );
    assert_eq!(reader.records().count(), 12, "confirmed participants");

    let other = session(&app, OTHER_OFFICER).await;
    assert_eq!(
        get_as(&app, Some(&other), &format!("/staff/classes/{class}/roster.csv")).await,
        403
    );
    assert_eq!(
        get_as(&app, None, &format!("/staff/classes/{class}/roster.csv")).await,
        303
    );
}

async fn reviewers_clear_background_checks_and_decide(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let (_, body) = apply(&app, precinct::domain::ClassId::new(class), &applicant(1), None).await;
    assert_eq!(
        body["status"], "pending_review",
        "the citizen academy checks backgrounds"
    );
    let id = body["id"].as_i64().unwrap();
    let coordinator = session(&app, COORDINATOR).await;
    let officer = session(&app, PRESENTING_OFFICER).await;
    let page = format!("/staff/applications/{id}");
    assert_eq!(
        get_as(&app, Some(&officer), &page).await,
        403,
        "background checks are for reviewers only"
    );
    assert_eq!(get_as(&app, Some(&coordinator), &page).await, 200);
    let decide = format!("/staff/applications/{id}/decision");
    assert_eq!(
        post_as(&app, Some(&coordinator), &decide, &[("decision", "approve")]).await,
        409,
        "check not cleared"
    );
    let check = format!("/staff/applications/{id}/background-check");
    assert_eq!(
        post_as(&app, Some(&officer), &check, &[("status", "cleared")]).await,
        403
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &check, &[("status", "cleared")]).await,
        303
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &decide, &[("decision", "approve")]).await,
        409,
        "the program's screening stages are not passed yet"
    );
    pass_every_stage(&app, &coordinator, id).await;
    assert_eq!(
        post_as(&app, Some(&coordinator), &decide, &[("decision", "approve")]).await,
        303
    );
    let kinds: Vec<String> = app
        .mailbox("person1@example.org")
        .await
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(kinds, ["application_received", "application_approved"]);
    assert_eq!(
        post_as(&app, Some(&coordinator), &decide, &[("decision", "approve")]).await,
        409,
        "decided once"
    );

    // A denial needs a reason, frees the seat, and the waitlist gets an offer.
    let small = crate::applications::open_class(
        &app,
        crate::applications::ClassSpec {
            capacity: 1,
            review: true,
            ..Default::default()
        },
    )
    .await;
    let (_, first) = apply(&app, small, &applicant(2), None).await;
    let (_, second) = apply(&app, small, &applicant(3), None).await;
    assert_eq!(
        (first["status"].as_str(), second["status"].as_str()),
        (Some("pending_review"), Some("waitlisted"))
    );
    let deny = format!("/staff/applications/{}/decision", first["id"]);
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &deny,
            &[("decision", "deny"), ("reason", " ")]
        )
        .await,
        422
    );
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &deny,
            &[("decision", "deny"), ("reason", "Does not meet the residency rule")]
        )
        .await,
        303
    );
    let counts = app.store.status_counts(small).await.unwrap();
    assert_eq!(counts, vec![("denied".to_string(), 1), ("offered".to_string(), 1)]);
    let denial = app.mailbox("person2@example.org").await.pop().unwrap();
    assert!(denial.body_text.contains("Does not meet the residency rule"));
    let actions: Vec<String> = app
        .store
        .audit_entries(Some("application"), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "application.decide",
            "application.decide",
            "application.screening",
            "application.screening",
            "application.screening",
            "application.background_check"
        ]
    );
}

async fn review_explains_refusals_in_words_and_moves_on_to_the_next(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let decision = |id: i64| format!("/staff/applications/{id}/decision");
    // The citizen academy checks backgrounds: approving at once is too early, and the
    // application itself says why, in words, with nothing decided.
    let academy = precinct::domain::ClassId::new(app.class_id("Class 33").await);
    let (_, body) = apply(&app, academy, &applicant(1), None).await;
    let early = body["id"].as_i64().unwrap();
    let (status, _, body) = post_page(&app, &coordinator, &decision(early), &[("decision", "approve")]).await;
    assert_eq!(status, 409);
    assert!(body.contains("Nothing was saved"), "{body}");
    assert!(body.contains("<dd>Seat held, under review</dd>"), "{body}");
    assert!(body.contains("applied online"), "{body}");
    assert!(!body.contains("pending_review"), "no stored codes on the page");
    let (status, _, body) = post_page(
        &app,
        &coordinator,
        &decision(early),
        &[("decision", "deny"), ("next", "yes")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Give a reason when denying an application."), "{body}");

    // Decided, the queue moves on to the oldest application still waiting.
    let class = crate::applications::open_class(
        &app,
        crate::applications::ClassSpec {
            capacity: 3,
            review: true,
            ..Default::default()
        },
    )
    .await;
    let (_, body) = apply(&app, class, &applicant(2), None).await;
    let id = body["id"].as_i64().unwrap();
    let (status, location, _) = post_page(
        &app,
        &coordinator,
        &decision(id),
        &[("decision", "approve"), ("next", "yes")],
    )
    .await;
    let oldest = app.store.review_queue(None, 1).await.unwrap()[0].id;
    assert_ne!(oldest.get(), id);
    assert_eq!((status, location), (303, Some(format!("/staff/applications/{oldest}"))));
    let page = app.page_as(&coordinator, &format!("/staff/applications/{id}")).await;
    assert!(
        page.contains(&format!("<dt>Last reviewed by</dt><dd>{COORDINATOR}</dd>")),
        "{page}"
    );
    assert!(!page.contains("staff:"), "no internal actor ids");
}

async fn staff_enter_phone_applications_under_the_same_rules(backend: Backend) {
    let app = spawn(backend).await;
    let class = crate::applications::open_class(
        &app,
        crate::applications::ClassSpec {
            capacity: 2,
            ..Default::default()
        },
    )
    .await;
    let mut tx = app.store.begin().await.unwrap();
    tx.set_registration_rules(class, &crate::applications::held_back(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(apply(&app, class, &applicant(1), None).await.1["status"], "confirmed");
    assert_eq!(
        apply(&app, class, &applicant(2), None).await.1["status"],
        "waitlisted",
        "online may not use the held seat"
    );
    let coordinator = session(&app, COORDINATOR).await;
    assert_eq!(
        get_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/applications/new")
        )
        .await,
        200
    );
    let fields = [
        ("first_name", "Walk"),
        ("last_name", "In"),
        ("email", "walk.in@example.org"),
        ("phone", "555 010 6000"),
        ("date_of_birth", "1970-06-01"),
        ("city", "Harbor Point"),
        ("affiliation", "resides"),
        ("emergency_name", "Kin In"),
        ("emergency_phone", "555 010 6001"),
        ("waiver_accepted", "yes"),
        ("form_token", "desk-1"),
    ];
    let path = format!("/staff/classes/{class}/applications");
    let mut bad = fields.to_vec();
    bad.retain(|(k, _)| *k != "phone");
    assert_eq!(post_as(&app, Some(&coordinator), &path, &bad).await, 422);
    assert_eq!(post_as(&app, Some(&coordinator), &path, &fields).await, 303);
    assert_eq!(
        post_as(&app, Some(&coordinator), &path, &fields).await,
        303,
        "a double submit files once"
    );
    let roster = app.store.roster(class).await.unwrap();
    let walk_in = roster.iter().find(|r| r.email == "walk.in@example.org").unwrap();
    assert_eq!(
        (walk_in.status.as_str(), walk_in.channel.as_str()),
        ("confirmed", "staff"),
        "the held-back seat"
    );
    assert_eq!(roster.len(), 3);
    let officer = session(&app, PRESENTING_OFFICER).await;
    assert_eq!(post_as(&app, Some(&officer), &path, &fields).await, 403);
}

async fn a_forgotten_password_is_reset_by_a_single_use_link(backend: Backend) {
    let app = spawn(backend).await;
    let old = session(&app, COORDINATOR).await;
    let res = app
        .client
        .post(format!("{}/staff/password-reset", app.address))
        .form(&[("email", "M.Okafor@harborpoint-pd.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let nobody = app
        .client
        .post(format!("{}/staff/password-reset", app.address))
        .form(&[("email", "nobody@harborpoint-pd.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status().as_u16(), 200, "the same answer for unknown addresses");
    assert!(app.mailbox("nobody@harborpoint-pd.example").await.is_empty());
    let mail = app.mailbox(COORDINATOR).await.pop().expect("a reset email");
    assert_eq!(mail.kind, "staff_password_reset");
    let start = mail.body_text.find("/staff/password-reset/").unwrap();
    let path = mail.body_text[start..].split_whitespace().next().unwrap().to_string();
    assert_eq!(get_as(&app, None, &path).await, 200);
    let short = post_as(&app, None, &path, &[("password", "short"), ("confirm", "short")]).await;
    assert_eq!(short, 422);
    let new_password = "a brand new passphrase";
    assert_eq!(
        post_as(
            &app,
            None,
            &path,
            &[("password", new_password), ("confirm", new_password)]
        )
        .await,
        303
    );
    assert_eq!(
        post_as(
            &app,
            None,
            &path,
            &[("password", new_password), ("confirm", new_password)]
        )
        .await,
        410,
        "single use"
    );
    assert_eq!(
        get_as(&app, Some(&old), "/staff").await,
        303,
        "sessions end with the reset"
    );
    assert_eq!(sign_in(&app, COORDINATOR, PASSWORD).await.status().as_u16(), 401);
    assert_eq!(sign_in(&app, COORDINATOR, new_password).await.status().as_u16(), 303);
}

fn secret_from(page: &str) -> String {
    let start = page.find("secret=").expect("an otpauth address") + "secret=".len();
    page[start..].split('&').next().unwrap().to_string()
}

async fn two_step_sign_in_needs_a_fresh_code(backend: Backend) {
    let app = spawn(backend).await;
    let admin = session(&app, ADMIN).await;
    let secret = secret_from(&app.page_as(&admin, "/staff/two-factor").await);
    let now = jiff::Timestamp::now().as_second() as u64;
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/two-factor", &[("code", "000000")]).await,
        422
    );
    let code = precinct::auth::two_factor::code_at(&secret, now).unwrap();
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/two-factor", &[("code", &code)]).await,
        303
    );

    // Password alone no longer signs in; a new code does, once.
    assert_eq!(sign_in(&app, ADMIN, PASSWORD).await.status().as_u16(), 401);
    let next = precinct::auth::two_factor::code_at(&secret, now + 30).unwrap();
    let with = |code: String| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/staff/sign-in", app.address))
                .form(&[("email", ADMIN), ("password", PASSWORD), ("code", code.as_str())])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(with(code.clone()).await, 401, "the enrolment code cannot be replayed");
    assert_eq!(with(next.clone()).await, 303);
    assert_eq!(with(next).await, 401, "each code works once");
    let actions: Vec<String> = app
        .store
        .audit_entries(Some("staff"), 5)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["staff.two_factor_on"]);
}

async fn departments_can_require_two_step_sign_in_for_admins(backend: Backend) {
    let app = crate::helpers::spawn_app_with(
        backend,
        crate::helpers::Options {
            demo: true,
            require_admin_totp: true,
            ..Default::default()
        },
    )
    .await;
    let class = app.class_id("Class 33").await;
    let capacity = || async {
        app.get_json(&format!("/api/v1/classes/{class}")).await["capacity"]
            .as_i64()
            .unwrap()
    };
    let admin = session(&app, ADMIN).await;

    // Until enrolled, every back-office page and change leads to enrolment, and nothing
    // changes.
    let audited = app.store.audit_entries(None, 100).await.unwrap().len();
    let to_enrolment = |res: reqwest::Response| {
        let status = res.status().as_u16();
        let location = res.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_string());
        (status, location)
    };
    let enrol = (303, Some("/staff/two-factor".to_string()));
    for path in [
        "/staff".to_string(),
        "/staff/audit".into(),
        "/staff/settings".into(),
        "/staff/outbox".into(),
        "/staff/retention".into(),
        "/staff/account".into(),
        "/staff/password".into(),
        format!("/staff/classes/{class}"),
        format!("/staff/classes/{class}/roster.csv"),
    ] {
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .header(COOKIE, &admin)
            .send()
            .await
            .unwrap();
        assert_eq!(to_enrolment(res), enrol, "GET {path}");
    }
    for (path, form) in [
        (format!("/staff/classes/{class}/capacity"), vec![("capacity", "5")]),
        (format!("/staff/classes/{class}/status"), vec![("status", "closed")]),
        (
            "/staff/settings".to_string(),
            vec![("admin", "yes"), ("coordinator", "yes")],
        ),
        ("/staff/retention".to_string(), vec![]),
        ("/staff/two-factor/disable".to_string(), vec![("code", "000000")]),
        (
            "/staff/password".to_string(),
            vec![
                ("current", PASSWORD),
                ("password", "copper lantern orbit meadow"),
                ("confirm", "copper lantern orbit meadow"),
            ],
        ),
    ] {
        let res = app
            .client
            .post(format!("{}{path}", app.address))
            .header(COOKIE, &admin)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(to_enrolment(res), enrol, "POST {path}");
    }
    assert_eq!(capacity().await, 30, "the capacity is unchanged");
    assert_eq!(
        app.get_json(&format!("/api/v1/classes/{class}")).await["status"],
        "open"
    );
    assert_eq!(
        app.store.audit_entries(None, 100).await.unwrap().len(),
        audited,
        "nothing was changed or audited"
    );
    // The session is no key to the API either: it takes only tokens issued on the server.
    let session_id = admin.split_once('=').unwrap().1;
    for auth in [None, Some(format!("Bearer {session_id}"))] {
        let mut req = app
            .client
            .patch(format!("{}/api/v1/classes/{class}", app.address))
            .header(COOKIE, &admin)
            .json(&serde_json::json!({ "capacity": 5 }));
        if let Some(auth) = &auth {
            req = req.header(reqwest::header::AUTHORIZATION, auth);
        }
        assert_eq!(req.send().await.unwrap().status().as_u16(), 401, "{auth:?}");
    }
    assert_eq!(capacity().await, 30);
    // A token is the server operator's credential (`precinct token create`), not a
    // person's sign-in, so the rule does not reach it.
    let token = precinct::auth::tokens::generate();
    app.store
        .insert_api_token(
            "ops",
            precinct::domain::Role::Admin,
            &precinct::auth::tokens::hash(&token),
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    let res = app
        .client
        .patch(format!("{}/api/v1/classes/{class}", app.address))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "capacity": 31 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(capacity().await, 31);

    // Coordinators are not held to the rule.
    let coordinator = session(&app, COORDINATOR).await;
    assert_eq!(
        get_as(&app, Some(&coordinator), "/staff").await,
        200,
        "the rule is for administrators"
    );
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/capacity"),
            &[("capacity", "32")]
        )
        .await,
        303
    );
    assert_eq!(capacity().await, 32);

    // Enrolment is open to the administrator; a wrong code does not enrol.
    let page = app.page_as(&admin, "/staff/two-factor").await;
    let secret = secret_from(&page);
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/two-factor", &[("code", "000000")]).await,
        422
    );
    assert_eq!(get_as(&app, Some(&admin), "/staff/audit").await, 303);
    let now = jiff::Timestamp::now().as_second() as u64;
    let code = precinct::auth::two_factor::code_at(&secret, now).unwrap();
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/two-factor", &[("code", &code)]).await,
        303
    );
    // Enrolled, the administrator gets in and changes things.
    assert_eq!(get_as(&app, Some(&admin), "/staff/audit").await, 200);
    assert_eq!(get_as(&app, Some(&admin), "/staff/settings").await, 200);
    assert_eq!(
        post_as(
            &app,
            Some(&admin),
            &format!("/staff/classes/{class}/capacity"),
            &[("capacity", "33")]
        )
        .await,
        303
    );
    assert_eq!(capacity().await, 33);
    // And cannot turn the second step off while the department requires it.
    let next = precinct::auth::two_factor::code_at(&secret, now + 30).unwrap();
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/two-factor/disable", &[("code", &next)]).await,
        409
    );
    // Signing in again takes a code.
    assert_eq!(sign_in(&app, ADMIN, PASSWORD).await.status().as_u16(), 401);
    let res = app
        .client
        .post(format!("{}/staff/sign-in", app.address))
        .form(&[("email", ADMIN), ("password", PASSWORD), ("code", next.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
}

async fn cancelling_a_session_or_a_class_tells_everyone(backend: Backend) {
    let app = spawn(backend).await;
    let class = crate::applications::open_class(
        &app,
        crate::applications::ClassSpec {
            capacity: 1,
            ..Default::default()
        },
    )
    .await;
    apply(&app, class, &applicant(1), None).await;
    apply(&app, class, &applicant(2), None).await;
    let detail = app.get_json(&format!("/api/v1/classes/{class}")).await;
    let third = detail["sessions"][2]["id"].as_i64().unwrap();
    let coordinator = session(&app, COORDINATOR).await;
    let officer = session(&app, PRESENTING_OFFICER).await;
    let cancel = format!("/staff/classes/{class}/sessions/{third}/cancel");
    let yes = [("confirm", "yes")];
    assert_eq!(get_as(&app, Some(&officer), &cancel).await, 403);
    assert_eq!(post_as(&app, Some(&officer), &cancel, &yes).await, 403);
    // The first step only asks: it names the session, counts the recipients and shows
    // the message with a placeholder for each name, and nothing is sent.
    let res = post_form(&app, Some(&coordinator), &cancel, &[]).await;
    assert_eq!(res.status().as_u16(), 303, "an unconfirmed cancel asks first");
    assert_eq!(res.headers()["location"], cancel.as_str());
    let ask = app.page_as(&coordinator, &cancel).await;
    assert!(ask.contains("<h1>Cancel session 3?</h1>"), "{ask}");
    assert!(ask.contains("The email 2 people will get"), "{ask}");
    assert!(ask.contains("Hello [first name],"), "{ask}");
    assert!(ask.contains("Cancel session 3 and email 2 people"), "{ask}");
    assert!(!ask.contains("person1@example.org"), "no one's address on the preview");
    let detail = app.get_json(&format!("/api/v1/classes/{class}")).await;
    assert_eq!(detail["sessions"][2]["cancelled"], false);
    assert_eq!(
        app.mailbox("person1@example.org").await.len(),
        1,
        "only the application email"
    );
    assert_eq!(post_as(&app, Some(&coordinator), &cancel, &yes).await, 303);
    assert_eq!(
        post_as(&app, Some(&coordinator), &cancel, &yes).await,
        409,
        "already cancelled"
    );
    assert_eq!(get_as(&app, Some(&coordinator), &cancel).await, 409);
    let detail = app.get_json(&format!("/api/v1/classes/{class}")).await;
    assert_eq!(detail["sessions"][2]["cancelled"], true);
    let (_, page) = app.get_text(&format!("/classes/{class}")).await;
    assert!(page.contains("<strong>Cancelled:</strong> Session 3"));
    let kinds: Vec<String> = app
        .mailbox("person1@example.org")
        .await
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(kinds, ["application_received", "session_cancelled"]);

    let cancel_class = format!("/staff/classes/{class}/cancel");
    assert_eq!(post_as(&app, Some(&coordinator), &cancel_class, &[]).await, 303);
    assert_ne!(
        app.get_json(&format!("/api/v1/classes/{class}")).await["status"],
        "cancelled",
        "not without confirming"
    );
    let ask = app.page_as(&coordinator, &cancel_class).await;
    assert!(
        ask.contains("Subject:</strong> Class cancelled: Scenario Academy"),
        "{ask}"
    );
    assert!(ask.contains("Cancel the class and email 2 people"), "{ask}");
    assert_eq!(post_as(&app, Some(&coordinator), &cancel_class, &yes).await, 303);
    assert_eq!(
        app.get_json(&format!("/api/v1/classes/{class}")).await["status"],
        "cancelled"
    );
    let waitlisted: Vec<String> = app
        .mailbox("person2@example.org")
        .await
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(
        waitlisted,
        ["application_received", "session_cancelled", "class_cancelled"]
    );
    assert_eq!(post_as(&app, Some(&coordinator), &cancel_class, &yes).await, 409);
    assert_eq!(get_as(&app, Some(&coordinator), &cancel_class).await, 409);
    let actions: Vec<String> = app
        .store
        .audit_entries(None, 5)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions[..2], ["class.cancel".to_string(), "session.cancel".to_string()]);
}

async fn waitlist_moves_and_class_emails_are_recorded(backend: Backend) {
    let app = spawn(backend).await;
    let class = crate::applications::open_class(
        &app,
        crate::applications::ClassSpec {
            capacity: 1,
            ..Default::default()
        },
    )
    .await;
    let mut ids = Vec::new();
    for n in 1..=4 {
        ids.push(apply(&app, class, &applicant(n), None).await.1["id"].as_i64().unwrap());
    }
    let coordinator = session(&app, COORDINATOR).await;
    let moving = format!("/staff/applications/{}/move", ids[3]);
    assert_eq!(
        post_as(&app, Some(&coordinator), &moving, &[("position", "1"), ("reason", "")]).await,
        422
    );
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &moving,
            &[("position", "1"), ("reason", "Medical make-up from Class 32")]
        )
        .await,
        303
    );
    let order: Vec<i64> = app
        .store
        .waitlist(class)
        .await
        .unwrap()
        .iter()
        .map(|i| i.get())
        .collect();
    assert_eq!(order, [ids[3], ids[1], ids[2]]);
    let audit = app.store.audit_entries(Some("application"), 1).await.unwrap();
    assert_eq!(audit[0].action, "waitlist.move");
    assert!(audit[0].after_json.as_deref().unwrap().contains("Medical make-up"));
    assert!(audit[0].actor.contains(COORDINATOR));
    // A confirmed application is not on the waitlist.
    let confirmed = format!("/staff/applications/{}/move", ids[0]);
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &confirmed,
            &[("position", "1"), ("reason", "x")]
        )
        .await,
        409
    );
    // A seat frees: the person moved to the top gets the offer.
    precinct::service::classes::change_capacity(&app.store, &app.state.links, "test", class, 2, jiff::Timestamp::now())
        .await
        .unwrap();
    let kinds: Vec<String> = app
        .mailbox("person4@example.org")
        .await
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(kinds, ["application_received", "seat_offered"]);

    let email = format!("/staff/classes/{class}/email");
    let fields = [
        ("audience", "waitlist"),
        ("subject", "Parking"),
        ("body", "Use the north lot."),
    ];
    assert_eq!(post_as(&app, Some(&coordinator), &email, &fields).await, 303);
    let to_waitlist: Vec<String> = app
        .mailbox("person2@example.org")
        .await
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(to_waitlist.last().unwrap(), "class_message");
    let to_participant = app.mailbox("person1@example.org").await;
    assert!(
        to_participant.iter().all(|m| m.kind != "class_message"),
        "only the chosen audience"
    );
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &email,
            &[("audience", "nobody"), ("subject", "x"), ("body", "y")]
        )
        .await,
        422
    );
    let officer = session(&app, PRESENTING_OFFICER).await;
    assert_eq!(post_as(&app, Some(&officer), &email, &fields).await, 403);
}

async fn applicants_import_from_csv_once(backend: Backend) {
    let app = spawn(backend).await;
    let class = crate::applications::open_class(&app, crate::applications::ClassSpec::default()).await;
    apply(&app, class, &applicant(1), None).await;
    let coordinator = session(&app, COORDINATOR).await;
    let csv_text = "\u{feff}first_name,last_name,email,phone,date_of_birth,city,affiliation,organization,emergency_name,emergency_phone,waiver_accepted\n\
        Ana,Lima,ana.lima@example.org,555 010 7001,1975-03-03,Harbor Point,resides,,Rui Lima,555 010 7002,yes\n\
        Bo,Chen,not-an-email,555 010 7003,1980-04-04,Harbor Point,works,,Li Chen,555 010 7004,yes\n\
        Person1,Tester,person1@example.org,555 010 1234,1985-04-23,Harbor Point,resides,,Kin,555 010 9999,yes\n";
    let upload = |text: &'static str| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name("applicants.csv"),
        );
        app.client
            .post(format!("{}/staff/classes/{class}/import", app.address))
            .header(COOKIE, &coordinator)
            .multipart(form)
            .send()
    };
    let res = upload(csv_text).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("filed: Confirmed"), "{page}");
    assert!(page.contains("Enter an email address like name@example.com."));
    assert!(page.contains("already applied to this class"));
    let again = upload(csv_text).await.unwrap().text().await.unwrap();
    assert!(
        again.contains("already imported"),
        "a second import files nothing twice"
    );
    let roster = app.store.roster(class).await.unwrap();
    assert_eq!(roster.len(), 2);
    assert!(
        roster
            .iter()
            .any(|r| r.email == "ana.lima@example.org" && r.channel == "staff")
    );
    let bad = upload("name,email\nx,y\n").await.unwrap().text().await.unwrap();
    assert!(bad.contains("The file is missing these columns"));
}

async fn coordinators_edit_sessions_and_name_several_presenters(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let detail = app.get_json(&format!("/api/v1/classes/{class}")).await;
    let first = &detail["sessions"][0];
    let session_id = first["id"].as_i64().unwrap();
    let date = first["date"].as_str().unwrap().to_string();
    let coordinator = session(&app, COORDINATOR).await;
    let other = session(&app, OTHER_OFFICER).await;
    assert_eq!(
        get_as(&app, Some(&other), &format!("/staff/classes/{class}")).await,
        403,
        "not presenting yet"
    );
    let path = format!("/staff/classes/{class}/sessions/{session_id}/edit");
    assert_eq!(get_as(&app, Some(&other), &path).await, 403);
    let page = app.page_as(&coordinator, &path).await;
    let value_of = |label: &str| {
        let end = page.find(label).expect("officer on the roster");
        let input = page[..end].rfind("value=\"").unwrap() + "value=\"".len();
        page[input..].split('"').next().unwrap().to_string()
    };
    let jenna = value_of(">Community Relations: Officer Jenna Brandt (School resource officer)<");
    let diego = value_of(">K-9: Officer Diego Ferreira<");
    let (unit, staff) = jenna.split_once(':').unwrap();
    let wrong_unit = format!("{}:{staff}", unit.parse::<i64>().unwrap() + 1);
    let form = |date: &str, start: &str, presenters: &[&str]| {
        let mut f = vec![
            ("topic".to_string(), "Welcome and the patrol function".to_string()),
            ("description".to_string(), "Bring a photo ID.".to_string()),
            ("date".to_string(), date.to_string()),
            ("start".to_string(), start.to_string()),
            ("end".to_string(), "21:00".to_string()),
            ("place".to_string(), "Training Room B".to_string()),
        ];
        f.extend(presenters.iter().map(|p| ("presenter".to_string(), p.to_string())));
        f
    };
    let post = |f: Vec<(String, String)>, cookie: String| {
        let app = &app;
        let path = path.clone();
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            post_as(app, Some(&cookie), &path, &pairs).await
        }
    };
    assert_eq!(post(form(&date, "18:30", &[&jenna]), other.clone()).await, 403);
    assert_eq!(
        post(form(&date, "18:30", &[&wrong_unit]), coordinator.clone()).await,
        422
    );
    assert_eq!(post(form("someday", "25:00", &[]), coordinator.clone()).await, 422);
    assert_eq!(
        post(form(&date, "22:00", &[]), coordinator.clone()).await,
        422,
        "ends before it starts"
    );
    // Two presenters and a new room: participants are told.
    assert_eq!(
        post(form(&date, "18:30", &[&jenna, &diego]), coordinator.clone()).await,
        303
    );
    let (_, public) = app.get_text(&format!("/classes/{class}")).await;
    assert!(
        public.contains("Community Relations (Officer Jenna Brandt)"),
        "first presenter"
    );
    assert!(public.contains("K-9 (Officer Diego Ferreira)"), "second presenter");
    assert!(public.contains("Welcome and the patrol function"));
    assert_eq!(
        get_as(&app, Some(&other), &format!("/staff/classes/{class}")).await,
        200,
        "now she presents"
    );
    let participant = &app
        .store
        .participants(precinct::domain::ClassId::new(class))
        .await
        .unwrap()[0];
    let kinds = |messages: Vec<precinct::store::outbox::OutboxMessage>| {
        messages.into_iter().filter(|m| m.kind == "session_changed").count()
    };
    let told = kinds(app.mailbox(&participant.email).await);
    assert_eq!(told, 1, "the room changed, so the participant is told");
    // Saving again without a change of date, time or room tells nobody.
    assert_eq!(post(form(&date, "18:30", &[&jenna]), coordinator.clone()).await, 303);
    assert_eq!(kinds(app.mailbox(&participant.email).await), 1);
    let audit = app.store.audit_entries(Some("session"), 10).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "session.update").count(), 2);
}

/// Records a pass on every stage of the demo citizen academy's screening.
pub async fn pass_every_stage(app: &TestApp, cookie: &str, application: i64) {
    for stage in ["application_review", "background_check", "interview"] {
        let form = [
            ("stage", stage),
            ("outcome", "passed"),
            ("reason", "meets_criteria"),
            ("note", ""),
        ];
        let path = format!("/staff/applications/{application}/screening");
        assert_eq!(post_as(app, Some(cookie), &path, &form).await, 303, "{stage}");
    }
}

async fn screening_stages_take_several_reviewers_and_hide_sensitive_results(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let (_, body) = apply(&app, precinct::domain::ClassId::new(class), &applicant(1), None).await;
    let id = body["id"].as_i64().unwrap();
    let admin = session(&app, ADMIN).await;
    let coordinator = session(&app, COORDINATOR).await;
    let screening = format!("/staff/applications/{id}/screening");
    let page = format!("/staff/applications/{id}");
    let entry = |stage: &'static str, outcome: &'static str, reason: &'static str, note: &'static str| {
        [
            ("stage", stage),
            ("outcome", outcome),
            ("reason", reason),
            ("note", note),
        ]
    };
    // Unknown stage, outcome and reason are refused together, with the page and a 422.
    let res = app
        .client
        .post(format!("{}{screening}", app.address))
        .header(COOKIE, &coordinator)
        .form(&entry("vibes", "maybe", "whim", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("Choose one of this program")
            && text.contains("Choose an outcome")
            && text.contains("reason code")
    );
    // Two reviewers on one stage: a question from one holds the stage until answered.
    let review = entry("application_review", "passed", "meets_criteria", "Strong answers.");
    assert_eq!(post_as(&app, Some(&coordinator), &screening, &review).await, 303);
    let question = entry(
        "application_review",
        "needs_information",
        "missing_information",
        "Which employer?",
    );
    assert_eq!(post_as(&app, Some(&admin), &screening, &question).await, 303);
    let shown = app.page_as(&coordinator, &page).await;
    assert!(shown.contains("Application review: Needs information"), "{shown}");
    assert!(shown.contains("Strong answers.") && shown.contains("Which employer?"));
    let answered = entry("application_review", "passed", "meets_criteria", "Employer confirmed.");
    assert_eq!(post_as(&app, Some(&admin), &screening, &answered).await, 303);
    assert!(
        app.page_as(&coordinator, &page)
            .await
            .contains("Application review: Passed")
    );
    // The background check is sensitive: the coordinator records it while the department allows.
    let record = entry(
        "background_check",
        "failed",
        "record_found",
        "Open warrant in another county.",
    );
    assert_eq!(post_as(&app, Some(&coordinator), &screening, &record).await, 303);
    assert!(app.page_as(&coordinator, &page).await.contains("Open warrant"));
    // The admin narrows sensitive fields to admins only.
    assert_eq!(
        post_as(&app, Some(&coordinator), "/staff/settings", &[("admin", "yes")]).await,
        403
    );
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/settings", &[("admin", "yes")]).await,
        303
    );
    let shown = app.page_as(&coordinator, &page).await;
    assert!(!shown.contains("Open warrant"), "the note is hidden");
    assert!(!shown.contains("<strong>Failed</strong>"), "the outcome is hidden");
    assert!(shown.contains("Background check: Complete (details restricted)"));
    assert!(
        !shown.contains("Background check status"),
        "the check status form is hidden"
    );
    assert_eq!(post_as(&app, Some(&coordinator), &screening, &record).await, 403);
    let check = format!("/staff/applications/{id}/background-check");
    assert_eq!(
        post_as(&app, Some(&coordinator), &check, &[("status", "cleared")]).await,
        403
    );
    let shown = app.page_as(&admin, &page).await;
    assert!(shown.contains("Open warrant") && shown.contains("Background check: Failed"));
    // A failed stage blocks approval; denial is still possible.
    let decide = format!("/staff/applications/{id}/decision");
    assert_eq!(
        post_as(&app, Some(&admin), &decide, &[("decision", "approve")]).await,
        409
    );
    // Every entry is audited.
    let audit = app.store.audit_entries(Some("application"), 20).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "application.screening").count(), 4);
}

async fn coordinators_set_a_programs_graduation_rule_and_screening(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let officer = session(&app, PRESENTING_OFFICER).await;
    let path = "/staff/programs/citizen-academy/settings";
    assert_eq!(get_as(&app, Some(&officer), path).await, 403);
    assert_eq!(
        get_as(&app, Some(&coordinator), "/staff/programs/nope/settings").await,
        404
    );
    let page = app.page_as(&coordinator, path).await;
    assert!(
        page.contains("background_check | Background check | sensitive"),
        "the demo's stages"
    );
    assert!(page.contains("value=\"15\""), "the demo's lateness limit");
    let form = |absences: &'static str, late_counts: &'static str, stages: &'static str| {
        vec![
            ("max_absences", absences),
            ("late_counts", late_counts),
            ("late_limit_minutes", "20"),
            ("max_makeups", "2"),
            ("ride_along_required", "yes"),
            ("stages", stages),
            ("reasons", "meets_criteria | Meets the criteria\nother | Other"),
        ]
    };
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .header(COOKIE, &coordinator)
        .form(&form("many", "yes", "review | Review\nreview | Again\nbroken line"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let text = res.text().await.unwrap();
    assert!(text.contains("Absences allowed must be a whole number"), "{text}");
    assert!(text.contains("choose one") && text.contains("used twice") && text.contains("broken line"));
    assert_eq!(
        post_as(&app, Some(&officer), path, &form("1", "", "review | Review")).await,
        403
    );
    let stages = "review | Application review\ncheck | Background check | sensitive";
    assert_eq!(
        post_as(&app, Some(&coordinator), path, &form("1", "", stages)).await,
        303
    );
    let class = app.class_id("Class 33").await;
    let graduation = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/graduation"))
        .await;
    assert!(graduation.contains(
        "Graduates miss at most 1 session; excused absences do not count; arriving more than 20 minutes late \
         counts as an absence; up to 2 missed sessions can be made up; a completed ride-along is required."
    ));
    let (_, body) = apply(&app, precinct::domain::ClassId::new(class), &applicant(1), None).await;
    let review = app
        .page_as(&coordinator, &format!("/staff/applications/{}", body["id"]))
        .await;
    assert!(review.contains("Background check: Not started") && !review.contains("Conversation with the coordinator"));
    let audit = app.store.audit_entries(Some("program"), 5).await.unwrap();
    assert_eq!(audit[0].action, "program.rules");
}

async fn staff_change_their_password_and_every_session_ends(backend: Backend) {
    let app = spawn(backend).await;
    let first = session(&app, COORDINATOR).await;
    let res = sign_in(&app, COORDINATOR, PASSWORD).await;
    let second = res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let new = "a longer passphrase for the harbor";
    let change = |current: &'static str, password: &'static str, confirm: &'static str| {
        vec![("current", current), ("password", password), ("confirm", confirm)]
    };
    assert_eq!(
        post_as(&app, None, "/staff/password", &change(PASSWORD, new, new)).await,
        303
    );
    assert_eq!(
        get_as(&app, Some(&first), "/staff").await,
        200,
        "nothing changed anonymously"
    );
    assert_eq!(
        post_as(&app, Some(&first), "/staff/password", &change("guess", new, new)).await,
        422
    );
    assert_eq!(
        post_as(
            &app,
            Some(&first),
            "/staff/password",
            &change(PASSWORD, "short", "short")
        )
        .await,
        422
    );
    assert_eq!(
        post_as(
            &app,
            Some(&first),
            "/staff/password",
            &change(PASSWORD, new, "other words here")
        )
        .await,
        422
    );
    let res = app
        .client
        .post(format!("{}/staff/password", app.address))
        .header(COOKIE, &first)
        .form(&change(PASSWORD, new, new))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()[LOCATION], "/staff/sign-in?changed=1");
    assert_eq!(get_as(&app, Some(&first), "/staff").await, 303, "this session ended");
    assert_eq!(get_as(&app, Some(&second), "/staff").await, 303, "and every other one");
    assert_eq!(sign_in(&app, COORDINATOR, PASSWORD).await.status().as_u16(), 401);
    assert_eq!(sign_in(&app, COORDINATOR, new).await.status().as_u16(), 303);
    let audit = app.store.audit_entries(Some("staff"), 5).await.unwrap();
    assert_eq!(audit[0].action, "staff.password_change");
}

async fn coordinators_create_and_edit_programs(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let officer = session(&app, PRESENTING_OFFICER).await;
    let form = |slug: &'static str, name: &'static str, min_age: &'static str| {
        vec![
            ("slug", slug),
            ("kind", "neighborhood_watch"),
            ("name", name),
            ("summary", "Learn to run a block watch with your neighbors."),
            (
                "body",
                "## Meetings\n\nMonthly, with your area officer.<script>alert(1)</script>",
            ),
            ("min_age", min_age),
            ("max_age", ""),
            ("resides", "yes"),
            ("grades", ""),
            ("waiver", "yes"),
            ("position", "9"),
        ]
    };
    assert_eq!(
        post_as(
            &app,
            Some(&officer),
            "/staff/programs/new",
            &form("block-captains", "Block Captains", "18")
        )
        .await,
        403
    );
    let res = app
        .client
        .post(format!("{}/staff/programs/new", app.address))
        .header(COOKIE, &coordinator)
        .form(&form("Block Captains!", "", "old"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("web address name") && text.contains("Give the program a name") && text.contains("whole number")
    );
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            "/staff/programs/new",
            &form("block-captains", "Block Captains", "18")
        )
        .await,
        303
    );
    let (status, page) = app.get_text("/programs/block-captains").await;
    assert_eq!(status, 200);
    assert!(page.contains("Block Captains") && page.contains("<h2>Meetings</h2>"));
    assert!(!page.contains("<script>alert"), "the page body is sanitized");
    let api = app.get_json("/api/v1/programs/block-captains").await;
    assert_eq!(api["eligibility"]["min_age"], 18);
    assert_eq!(api["eligibility"]["affiliations"], serde_json::json!(["resides"]));
    // The same web address twice is refused; editing keeps the address.
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            "/staff/programs/new",
            &form("block-captains", "Again", "18")
        )
        .await,
        422
    );
    let edit = "/staff/programs/block-captains/edit";
    assert!(
        app.page_as(&coordinator, edit)
            .await
            .contains("Monthly, with your area officer.")
    );
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            edit,
            &form("renamed", "Block Captains Network", "16")
        )
        .await,
        303
    );
    let api = app.get_json("/api/v1/programs/block-captains").await;
    assert_eq!(
        (api["name"].as_str(), api["eligibility"]["min_age"].as_i64()),
        (Some("Block Captains Network"), Some(16))
    );
    assert_eq!(app.get("/programs/renamed").await.status().as_u16(), 404);
    let audit = app.store.audit_entries(Some("program"), 5).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["program.update", "program.create"]);
}

async fn the_roster_filters_and_the_review_queue_lists_what_waits(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let c = precinct::domain::ClassId::new(class);
    let (_, first) = apply(&app, c, &applicant(1), None).await;
    apply(&app, c, &applicant(2), None).await;
    let coordinator = session(&app, COORDINATOR).await;
    let page = |query: &str| {
        let app = &app;
        let coordinator = coordinator.clone();
        let path = format!("/staff/classes/{class}{query}");
        async move { app.page_as(&coordinator, &path).await }
    };
    let all = page("").await;
    assert!(
        all.contains("Roster (14)") && all.contains("Seat held, under review (2)") && all.contains("Confirmed (12)"),
        "{all}"
    );
    let pending = page("?status=pending_review&q=").await;
    assert!(pending.contains("Roster (14)") && pending.contains("2 matching rows shown"));
    assert!(pending.contains("person1@example.org") && !pending.contains("Confirmed</td>"));
    let one = page("?status=&q=person2%40example").await;
    assert!(one.contains("1 matching row shown") && one.contains("Person2"));
    assert!(page("?q=nobody+here").await.contains("Nobody matches the filter."));
    assert!(
        one.contains("roster.csv?status=") && one.contains("q=person2%40example\""),
        "the CSV link keeps the filter"
    );
    let csv = app
        .page_as(
            &coordinator,
            &format!("/staff/classes/{class}/roster.csv?status=pending_review"),
        )
        .await;
    assert_eq!(csv.lines().count(), 1 + 2, "{csv}");

    let queue = app.page_as(&coordinator, "/staff/review").await;
    assert!(queue.contains("Person1 Tester") && queue.contains("Person2 Tester"));
    assert!(queue.contains("0 of 3 stages passed"));
    assert!(
        queue.find("Person1").unwrap() < queue.find("Person2").unwrap(),
        "oldest first"
    );
    pass_every_stage(&app, &coordinator, first["id"].as_i64().unwrap()).await;
    assert!(
        app.page_as(&coordinator, "/staff/review")
            .await
            .contains("3 of 3 stages passed")
    );
}

on_both_backends!(
    the_roster_filters_and_the_review_queue_lists_what_waits,
    coordinators_create_and_edit_programs,
    staff_change_their_password_and_every_session_ends,
    coordinators_set_a_programs_graduation_rule_and_screening,
    screening_stages_take_several_reviewers_and_hide_sensitive_results,
    every_role_meets_the_permission_table_on_every_route,
    sign_out_ends_the_session_on_the_server,
    failed_sign_ins_answer_alike_for_staff_and_unknown_addresses,
    a_stranger_cannot_lock_an_officer_out,
    cross_site_staff_posts_are_refused,
    staff_changes_are_audited_and_the_log_is_append_only,
    the_staff_api_answers_by_token_role,
    rosters_export_to_csv_safely,
    reviewers_clear_background_checks_and_decide,
    staff_enter_phone_applications_under_the_same_rules,
    review_explains_refusals_in_words_and_moves_on_to_the_next,
    a_forgotten_password_is_reset_by_a_single_use_link,
    two_step_sign_in_needs_a_fresh_code,
    departments_can_require_two_step_sign_in_for_admins,
    cancelling_a_session_or_a_class_tells_everyone,
    waitlist_moves_and_class_emails_are_recorded,
    applicants_import_from_csv_once,
    coordinators_edit_sessions_and_name_several_presenters,
);
