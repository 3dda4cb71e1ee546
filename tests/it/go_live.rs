//! A department goes live from an empty database with nothing but an administrator
//! account: its profile, units, staff invited by email, API tokens, and what deactivating
//! an account ends at once.

use reqwest::header::COOKIE;

use crate::actors::{ADMIN, COORDINATOR, get_as, post_as, post_page, session, set_password};
use crate::helpers::{Backend, TestApp, spawn_demo, spawn_empty};
use crate::on_both_backends;

const FIRST_ADMIN: &str = "chief@lakeside.example";

/// An empty service with one administrator, as `precinct admin create` leaves it.
async fn empty_with_admin(backend: Backend) -> (TestApp, String) {
    let app = spawn_empty(backend).await;
    let mut tx = app.store.begin().await.unwrap();
    tx.insert_staff(
        &precinct::store::seed::NewStaff {
            email: FIRST_ADMIN,
            full_name: "Dana Whitfield",
            rank: None,
            badge_number: None,
            role: precinct::domain::Role::Admin,
            password_hash: None,
            public_profile: false,
        },
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let cookie = session(&app, FIRST_ADMIN).await;
    (app, cookie)
}

fn profile<'a>(time_zone: &'a str, website: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name", "Lakeside Police Department"),
        ("short_name", "Lakeside PD"),
        ("city", "Lakeside"),
        ("state", "MN"),
        ("service_area", "North Shore\n55401"),
        ("time_zone", time_zone),
        ("address", "12 Harbor Street, Lakeside, MN 55400"),
        ("phone", "(555) 010-2000"),
        ("non_emergency_phone", "(555) 010-2011"),
        ("email", "community@lakeside.example"),
        ("website", website),
        ("reply_to", "programs@lakeside.example"),
        ("accessibility_contact", "access@lakeside.example"),
        ("tagline", ""),
    ]
}

/// Follows an invitation email's link, chooses a password and signs in.
pub async fn accept_invitation(app: &TestApp, email: &str, password: &str) -> String {
    let invitation = app
        .mailbox(email)
        .await
        .into_iter()
        .rev()
        .find(|m| m.kind == "staff_welcome")
        .expect("an invitation was sent");
    let start = invitation
        .body_text
        .find("/staff/password-reset/")
        .expect("the invitation has its link");
    let path: String = invitation.body_text[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .form(&[("password", password), ("confirm", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "the invitation link sets the password");
    let res = app
        .client
        .post(format!("{}/staff/sign-in", app.address))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303, "{email} signs in");
    let cookie = res.headers()[reqwest::header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
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

async fn a_department_sets_itself_up_from_an_empty_database(backend: Backend) {
    let (app, admin) = empty_with_admin(backend).await;
    let (_, home) = page(&app, &admin, "/staff").await;
    assert!(home.contains("Set up the department"), "the first-run checklist shows");
    assert!(home.contains("Enter the department"));

    // The profile: problems are named at their fields; nothing is half saved.
    let (status, _, text) = post_page(
        &app,
        &admin,
        "/staff/settings/department",
        &profile("Mars/Olympus", "lakeside.example"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("time zone, like America/Chicago"));
    assert!(text.contains("starting with https://"));
    assert!(app.store.department().await.unwrap().is_none());
    let (status, _, _) = post_page(
        &app,
        &admin,
        "/staff/settings/department",
        &profile("America/Chicago", "https://lakeside.example/police"),
    )
    .await;
    assert_eq!(status, 303);
    let dept = app.store.department().await.unwrap().unwrap();
    assert_eq!(dept.time_zone, "America/Chicago");
    assert_eq!(dept.reply_to, "programs@lakeside.example");
    let (_, public) = app.get_text("/").await;
    assert!(public.contains("Lakeside Police Department") && !public.contains(">Police Department<"));
    assert!(public.contains("tel:5550102011") && public.contains("https://lakeside.example/police"));
    let (status, statement) = app.get_text("/accessibility").await;
    assert_eq!(status, 200);
    assert!(statement.contains("Lakeside Police Department") && statement.contains("access@lakeside.example"));
    let (_, about) = app.get_text("/about").await;
    assert!(about.contains("Community policing in Lakeside"));
    // The change is audited with before and after.
    let audit = app.store.audit_for("department", "1").await.unwrap();
    assert!(audit.iter().any(|e| e.action == "department.profile"));

    // Units: added, renamed, refused twice, removed while unused.
    for name in ["Detectives", "K-9", "Motors"] {
        let (status, _, _) = post_page(&app, &admin, "/staff/units", &[("name", name), ("description", "")]).await;
        assert_eq!(status, 303, "{name}");
    }
    let (status, _, text) = post_page(&app, &admin, "/staff/units", &[("name", "k-9"), ("description", "")]).await;
    assert_eq!(status, 422);
    assert!(text.contains("already a unit"));
    let units = app.store.units().await.unwrap();
    assert_eq!(units.len(), 3);
    let k9 = units.iter().find(|u| u.name == "K-9").unwrap().id;
    let motors = units.iter().find(|u| u.name == "Motors").unwrap().id;
    let (status, _, _) = post_page(
        &app,
        &admin,
        &format!("/staff/units/{motors}"),
        &[
            ("name", "Motor Unit"),
            ("description", "Traffic enforcement on motorcycles."),
        ],
    )
    .await;
    assert_eq!(status, 303);

    // A coordinator and an officer are invited, accept from the email and sign in.
    let (status, _, text) = post_page(
        &app,
        &admin,
        "/staff/people",
        &[("email", "not-an-address"), ("full_name", ""), ("role", "chief")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("work email address") && text.contains("Choose a role"));
    let k9_text = k9.to_string();
    let (status, _, _) = post_page(
        &app,
        &admin,
        "/staff/people",
        &[
            ("email", "R.Osei@Lakeside.example"),
            ("full_name", "Rosa Osei"),
            ("role", "coordinator"),
            ("rank", ""),
            ("badge_number", ""),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = post_page(
        &app,
        &admin,
        "/staff/people",
        &[
            ("email", "t.nguyen@lakeside.example"),
            ("full_name", "Tam Nguyen"),
            ("role", "officer"),
            ("rank", "Sergeant"),
            ("badge_number", "4471"),
            ("unit", &k9_text),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, text) = post_page(
        &app,
        &admin,
        "/staff/people",
        &[
            ("email", "r.osei@lakeside.example"),
            ("full_name", "Rosa Again"),
            ("role", "officer"),
        ],
    )
    .await;
    assert_eq!(status, 422, "one account per address");
    assert!(text.contains("An account with this email address exists"));
    let (_, list) = page(&app, &admin, "/staff/people").await;
    assert!(list.contains("Invited, not yet signed up"));
    // The unit with a member can no longer be removed; Motors (unused) can.
    assert_eq!(
        post_as(&app, Some(&admin), &format!("/staff/units/{k9}/delete"), &[]).await,
        409
    );
    assert_eq!(
        post_as(&app, Some(&admin), &format!("/staff/units/{motors}/delete"), &[]).await,
        303
    );

    let coordinator = accept_invitation(&app, "r.osei@lakeside.example", "lakeside coordinator passphrase").await;
    assert_eq!(get_as(&app, Some(&coordinator), "/staff/programs/new").await, 200);
    assert_eq!(get_as(&app, Some(&coordinator), "/staff/people").await, 403);
    assert_eq!(get_as(&app, Some(&coordinator), "/staff/settings").await, 403);
    let officer = accept_invitation(&app, "t.nguyen@lakeside.example", "lakeside officer passphrase").await;
    assert_eq!(get_as(&app, Some(&officer), "/staff").await, 200);
    let people = app.store.people().await.unwrap();
    let tam = people.iter().find(|p| p.email == "t.nguyen@lakeside.example").unwrap();
    assert_eq!(
        (tam.rank.as_deref(), tam.badge_number.as_deref()),
        (Some("Sergeant"), Some("4471"))
    );
    assert_eq!(tam.unit_ids, vec![k9]);
    assert!(tam.has_password);
    // The invitation link worked once.
    let (_, home) = page(&app, &admin, "/staff").await;
    assert!(home.contains("Done:</span> Invite a coordinator"), "{home}");
}

async fn deactivated_staff_are_refused_everywhere(backend: Backend) {
    let app = spawn_demo(backend).await;
    let admin = session(&app, ADMIN).await;
    // A second administrator makes an API token in the back office.
    let (status, _, _) = post_page(
        &app,
        &admin,
        "/staff/people",
        &[
            ("email", "deputy@harborpoint-pd.example"),
            ("full_name", "Deputy Chief Vale"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let deputy_id = app
        .store
        .people()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.email == "deputy@harborpoint-pd.example")
        .unwrap()
        .id;
    set_password(&app, "deputy@harborpoint-pd.example").await;
    let deputy = session(&app, "deputy@harborpoint-pd.example").await;
    let (status, _, text) = post_page(&app, &deputy, "/staff/tokens", &[("name", ""), ("role", "coordinator")]).await;
    assert_eq!(status, 422);
    assert!(text.contains("Name the token"));
    let (status, _, text) = post_page(
        &app,
        &deputy,
        "/staff/tokens",
        &[("name", "City data portal"), ("role", "coordinator")],
    )
    .await;
    assert_eq!(status, 200);
    let needle = "id=\"new-token\" type=\"text\" readonly value=\"";
    let start = text.find(needle).unwrap() + needle.len();
    let token: String = text[start..].chars().take_while(|c| *c != '"').collect();
    assert!(token.len() >= 32, "{token}");
    let class = app.class_id("Class 33").await;
    let roster = |token: String| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}/api/v1/classes/{class}/registrations", app.address))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(roster(token.clone()).await, 200);
    let (_, tokens) = page(&app, &admin, "/staff/tokens").await;
    assert!(tokens.contains("City data portal") && tokens.contains("by Deputy Chief Vale"));
    assert!(!tokens.contains(&token), "a token is shown only once");
    assert!(!tokens.contains(">Never<"), "its last use shows");

    // Deactivating ends the sessions and the token at once; history stays.
    assert_eq!(
        post_as(
            &app,
            Some(&admin),
            &format!("/staff/people/{deputy_id}/active"),
            &[("active", "maybe")]
        )
        .await,
        400
    );
    assert_eq!(
        post_as(
            &app,
            Some(&admin),
            &format!("/staff/people/{deputy_id}/active"),
            &[("active", "no")]
        )
        .await,
        303
    );
    assert_eq!(get_as(&app, Some(&deputy), "/staff").await, 303);
    assert_eq!(roster(token.clone()).await, 401);
    let res = app
        .client
        .post(format!("{}/staff/sign-in", app.address))
        .form(&[
            ("email", "deputy@harborpoint-pd.example"),
            ("password", "correct horse battery staple"),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status().as_u16(), 303, "a deactivated account cannot sign in");
    let people = app.store.people().await.unwrap();
    assert!(!people.iter().find(|p| p.id == deputy_id).unwrap().active);
    // Reactivated, the account signs in again; the token stays revoked.
    assert_eq!(
        post_as(
            &app,
            Some(&admin),
            &format!("/staff/people/{deputy_id}/active"),
            &[("active", "yes")]
        )
        .await,
        303
    );
    let _deputy = session(&app, "deputy@harborpoint-pd.example").await;
    assert_eq!(roster(token).await, 401);

    // A role change ends the sessions opened under the old role.
    let coordinator = session(&app, COORDINATOR).await;
    let okafor = people.iter().find(|p| p.email == COORDINATOR).unwrap();
    let (status, _, _) = post_page(
        &app,
        &admin,
        &format!("/staff/people/{}", okafor.id),
        &[("full_name", okafor.full_name.as_str()), ("role", "officer")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(get_as(&app, Some(&coordinator), "/staff").await, 303);
    let officer_now = session(&app, COORDINATOR).await;
    assert_eq!(get_as(&app, Some(&officer_now), "/staff/programs/new").await, 403);

    // Two-step sign-in reset for a lost phone.
    app.store
        .set_totp_enabled(okafor.id, true, jiff::Timestamp::now())
        .await
        .unwrap();
    assert_eq!(
        post_as(
            &app,
            Some(&admin),
            &format!("/staff/people/{}/two-factor-reset", okafor.id),
            &[]
        )
        .await,
        303
    );
    assert!(!app.store.person(okafor.id).await.unwrap().unwrap().totp_enabled);
    assert_eq!(
        get_as(&app, Some(&officer_now), "/staff").await,
        303,
        "its sessions ended"
    );
    let actions: Vec<String> = app
        .store
        .audit_for("staff", &okafor.id.to_string())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"staff.update".to_string()) && actions.contains(&"staff.two_factor_reset".to_string()));
}

async fn the_last_administrator_cannot_be_removed(backend: Backend) {
    let (app, admin) = empty_with_admin(backend).await;
    let me = app.store.people().await.unwrap()[0].id;
    let (status, _, text) = post_page(
        &app,
        &admin,
        &format!("/staff/people/{me}"),
        &[("full_name", "Dana Whitfield"), ("role", "coordinator")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(text.contains("only active administrator"));
    assert_eq!(
        post_as(
            &app,
            Some(&admin),
            &format!("/staff/people/{me}/active"),
            &[("active", "no")]
        )
        .await,
        409
    );
    assert_eq!(get_as(&app, Some(&admin), "/staff/people/999999").await, 404);
    assert_eq!(get_as(&app, Some(&admin), "/staff/people/abc").await, 404);
}

async fn a_class_inherits_its_programs_allocation_and_changes_it_only_as_a_draft(backend: Backend) {
    let app = spawn_demo(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let new_class = |name: &'static str, allocation: &'static str, closes: &'static str| {
        vec![
            ("program", "citizen-academy"),
            ("name", name),
            ("capacity", "20"),
            ("opens", ""),
            ("closes", closes),
            ("allocation", allocation),
            ("first_date", ""),
        ]
    };
    let (status, _, text) = post_page(
        &app,
        &coordinator,
        "/staff/classes/new",
        &new_class("Lottery A", "lottery", ""),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("A lottery draws when registration closes"));
    // The error summary says so in the title and links each problem to its field.
    assert!(text.contains("<title>Error: "), "{text}");
    assert!(text.contains(r##"<li><a href="#allocation">"##), "{text}");
    let (status, location, _) = post_page(
        &app,
        &coordinator,
        "/staff/classes/new",
        &new_class("Lottery B", "lottery", "2031-03-01T12:00"),
    )
    .await;
    assert_eq!(status, 303);
    let id: i64 = location
        .unwrap()
        .trim_start_matches("/staff/classes/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let class_id = precinct::domain::ClassId::new(id);
    let class = app.store.class(class_id).await.unwrap().unwrap();
    assert_eq!(class.allocation, precinct::domain::application::Allocation::Lottery);
    // Inherited: the program gives seats first come, so a class without a choice does too.
    let (status, location, _) = post_page(&app, &coordinator, "/staff/classes/new", &new_class("Plain", "", "")).await;
    assert_eq!(status, 303);
    let plain: i64 = location
        .unwrap()
        .trim_start_matches("/staff/classes/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let plain = app
        .store
        .class(precinct::domain::ClassId::new(plain))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(plain.allocation, precinct::domain::application::Allocation::FirstCome);
    // Announced, the allocation is fixed.
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{id}/status"),
            &[("status", "announced")]
        )
        .await,
        303
    );
    let edit = |allocation: &'static str| {
        vec![
            ("name", "Lottery B"),
            ("location_name", ""),
            ("location_address", ""),
            ("opens", ""),
            ("closes", "2031-03-01T12:00"),
            ("allocation", allocation),
        ]
    };
    let (status, _, text) = post_page(
        &app,
        &coordinator,
        &format!("/staff/classes/{id}/edit"),
        &edit("first_come"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("only while the class is a draft"));
    let (status, _, _) = post_page(
        &app,
        &coordinator,
        &format!("/staff/classes/{id}/edit"),
        &edit("lottery"),
    )
    .await;
    assert_eq!(status, 303);
}

async fn the_service_area_counts_for_living_in_the_city(backend: Backend) {
    let app = spawn_demo(backend).await;
    let class = crate::applications::open_class(&app, Default::default()).await;
    // The demo's service area names South Harbor and ZIP 93991 besides Harbor Point.
    let mut person = crate::applications::applicant(1);
    person["city"] = serde_json::json!("93991");
    person["affiliation"] = serde_json::json!({ "kind": "resides" });
    let (status, body) = crate::applications::apply(&app, class, &person, None).await;
    assert_eq!(status, 201, "{body}");
    let mut stranger = crate::applications::applicant(2);
    stranger["city"] = serde_json::json!("Seaview");
    stranger["affiliation"] = serde_json::json!({ "kind": "resides" });
    let (status, body) = crate::applications::apply(&app, class, &stranger, None).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("South Harbor"), "{body}");
}

async fn organizations_and_presented_sessions_count_in_engagement(backend: Backend) {
    let app = spawn_demo(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let officer = session(&app, crate::actors::OTHER_OFFICER).await;
    let (status, _, text) = post_page(
        &app,
        &coordinator,
        "/staff/schools",
        &[
            ("name", "Eastside Neighbors"),
            ("kind", "gang"),
            ("district", ""),
            ("address", ""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text.contains("Choose what kind of place it is"));
    let (status, _, _) = post_page(
        &app,
        &coordinator,
        "/staff/schools",
        &[
            ("name", "Eastside Neighbors"),
            ("kind", "neighborhood"),
            ("district", ""),
            ("address", ""),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let place = app
        .store
        .places()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Eastside Neighbors")
        .unwrap();
    assert_eq!(place.kind, "neighborhood");
    // School programs do not offer it; the activity log does.
    assert!(!app.store.schools().await.unwrap().iter().any(|s| s.id == place.id));
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
        .date()
        .to_string();
    let id = place.id.to_string();
    let form = [
        ("kind", "presentation"),
        ("school_id", id.as_str()),
        ("occurred_on", today.as_str()),
        ("minutes", "60"),
        ("people_reached", "25"),
    ];
    assert_eq!(post_as(&app, Some(&officer), "/staff/activity", &form).await, 303);
    let year_ago = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
        .date()
        .checked_sub(jiff::ToSpan::days(364))
        .unwrap();
    let (_, report) = page(
        &app,
        &coordinator,
        &format!("/staff/reports/engagement?from={year_ago}&to={today}"),
    )
    .await;
    assert!(
        report.contains("<th scope=\"row\">Eastside Neighbors</th><td>1</td><td>1</td><td>25</td>"),
        "{report}"
    );
    // Sessions officers presented in the demo's graduated class count as academy teaching.
    let taught = app
        .store
        .sessions_presented_between(year_ago, today.parse().unwrap(), jiff::Timestamp::now())
        .await
        .unwrap();
    assert!(!taught.is_empty(), "the demo's past sessions have presenters");
    assert!(report.contains("<th scope=\"row\">Academy teaching</th>"), "{report}");
}

async fn the_logo_is_re_encoded_and_shown_on_every_page(backend: Backend) {
    let (app, admin) = empty_with_admin(backend).await;
    let (status, _, _) = post_page(
        &app,
        &admin,
        "/staff/settings/department",
        &profile("America/Chicago", ""),
    )
    .await;
    assert_eq!(status, 303);
    let upload = |bytes: Vec<u8>| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let form = reqwest::multipart::Form::new()
                .part("logo", reqwest::multipart::Part::bytes(bytes).file_name("logo.png"));
            let res = app
                .client
                .post(format!("{}/staff/settings/logo", app.address))
                .header(COOKIE, admin)
                .multipart(form)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (status, text) = upload(b"<svg onload=alert(1)>".to_vec()).await;
    assert_eq!(status, 422);
    assert!(text.contains("Upload a JPEG or PNG photo."));
    let (status, _) = upload(crate::profiles::png(640, 320)).await;
    assert_eq!(status, 303);
    let (_, home) = app.get_text("/").await;
    let start = home.find("/logo.png?v=").expect("the logo is on the page");
    let src: String = home[start..].chars().take_while(|c| *c != '"').collect();
    let res = app.client.get(format!("{}{src}", app.address)).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/png");
    let bytes = res.bytes().await.unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (160, 80), "shrunk to fit, shape kept");
    assert_eq!(
        post_as(&app, Some(&admin), "/staff/settings/logo/remove", &[]).await,
        303
    );
    let (_, home) = app.get_text("/").await;
    assert!(!home.contains("/logo.png") && home.contains("/assets/img/badge.svg"));
    assert_eq!(app.get_text("/logo.png").await.0, 404);
}

on_both_backends!(
    the_logo_is_re_encoded_and_shown_on_every_page,
    organizations_and_presented_sessions_count_in_engagement,
    a_department_sets_itself_up_from_an_empty_database,
    deactivated_staff_are_refused_everywhere,
    the_last_administrator_cannot_be_removed,
    a_class_inherits_its_programs_allocation_and_changes_it_only_as_a_draft,
    the_service_area_counts_for_living_in_the_city,
);
