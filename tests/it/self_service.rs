//! The applicant's side over real HTTP: the form, emailed links, withdrawing, offers
//! passing down the waitlist, the lottery, and the outbox.

use jiff::{SignedDuration, Timestamp};
use precinct::domain::ClassStatus;
use reqwest::header::COOKIE;

use crate::actors::{applicant_session as sign_in, get_as, link_token, post_form, post_with};
use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, Options, TestApp, spawn_app_with};
use crate::on_both_backends;

async fn message_kinds(app: &TestApp, email: &str) -> Vec<String> {
    app.mailbox(email).await.into_iter().map(|m| m.kind).collect()
}

async fn counts(app: &TestApp, class: precinct::domain::ClassId) -> Vec<(String, i64)> {
    app.store.status_counts(class).await.unwrap()
}

fn pairs(v: &[(&str, i64)]) -> Vec<(String, i64)> {
    v.iter().map(|(s, n)| (s.to_string(), *n)).collect()
}

async fn a_withdrawal_offers_the_seat_and_an_unanswered_offer_passes_on(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 2,
            ..Default::default()
        },
    )
    .await;
    let mut ids = Vec::new();
    for n in 1..=4 {
        let (status, body) = apply(&app, class, &applicant(n), None).await;
        assert_eq!(status, 201);
        ids.push(body["id"].as_i64().unwrap());
    }
    let first = sign_in(&app, &link_token(&app, "person1@example.org").await).await;
    let html = app.page_as(&first, "/my/applications").await;
    assert!(html.contains("Status: <strong>Confirmed</strong>"), "{html}");
    assert!(html.contains("Session 12"), "the schedule is shown");

    // Withdrawing asks first: the bare button leads to a page saying what happens.
    let withdraw = format!("/my/applications/{}/withdraw", ids[0]);
    let res = post_form(&app, Some(&first), &withdraw, &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], withdraw.as_str());
    let ask = app.page_as(&first, &withdraw).await;
    assert!(
        ask.contains("Your seat goes to the next person on the waitlist."),
        "{ask}"
    );
    assert!(ask.contains("You have 10 minutes to change your mind"), "{ask}");
    // Confirmed, it is only scheduled: the place is kept and can be taken back.
    let confirm = [("confirm", "yes")];
    let res = post_form(&app, Some(&first), &withdraw, &confirm).await;
    assert_eq!(res.headers()["location"], "/my/applications?done=withdrawn");
    let before = pairs(&[("confirmed", 2), ("waitlisted", 2)]);
    assert_eq!(counts(&app, class).await, before);
    let html = app.page_as(&first, "/my/applications").await;
    assert!(html.contains("It takes effect at"), "{html}");
    // Staff see it on the roster too.
    let coordinator = crate::actors::session(&app, crate::actors::COORDINATOR).await;
    let roster = app.page_as(&coordinator, &format!("/staff/classes/{class}")).await;
    assert!(roster.contains("; withdrawing at "), "{roster}");
    assert_eq!(
        post_form(&app, Some(&first), &withdraw, &confirm)
            .await
            .status()
            .as_u16(),
        409
    );
    let keep = format!("/my/applications/{}/keep", ids[0]);
    let res = post_with(&app, &first, &keep).await;
    assert_eq!(res.headers()["location"], "/my/applications?done=kept");
    assert_eq!(
        post_with(&app, &first, &keep).await.status().as_u16(),
        409,
        "nothing to take back"
    );
    // A retried job round before the grace period ends does nothing.
    let now = Timestamp::now();
    let round = precinct::jobs::run_once(&app.state.jobs(), now).await.unwrap();
    assert_eq!(round.withdrawals, 0);
    assert_eq!(counts(&app, class).await, before);
    assert_eq!(
        message_kinds(&app, "person1@example.org").await,
        ["application_received"]
    );

    // Asked again and left alone, it takes effect when the grace period ends: the
    // confirmation goes out and the seat passes on, once, whichever instance runs it.
    assert_eq!(
        post_form(&app, Some(&first), &withdraw, &confirm)
            .await
            .status()
            .as_u16(),
        303
    );
    let early = now.checked_add(SignedDuration::from_mins(9)).unwrap();
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), early)
            .await
            .unwrap()
            .withdrawals,
        0
    );
    let due = now.checked_add(SignedDuration::from_mins(11)).unwrap();
    let jobs = app.state.jobs();
    let (a, b) = tokio::join!(
        precinct::jobs::run_once(&jobs, due),
        precinct::jobs::run_once(&jobs, due)
    );
    assert_eq!(a.unwrap().withdrawals + b.unwrap().withdrawals, 1);
    assert_eq!(
        counts(&app, class).await,
        pairs(&[("confirmed", 1), ("offered", 1), ("waitlisted", 1), ("withdrawn", 1)])
    );
    assert_eq!(
        post_with(&app, &first, &keep).await.status().as_u16(),
        409,
        "too late to take back"
    );
    assert_eq!(
        message_kinds(&app, "person1@example.org").await,
        ["application_received", "withdrawn"]
    );
    assert_eq!(
        message_kinds(&app, "person3@example.org").await,
        ["application_received", "seat_offered"]
    );

    // Nobody answers for two days: the job expires the offer and offers the next person.
    let later = Timestamp::now().checked_add(SignedDuration::from_hours(49)).unwrap();
    let round = precinct::jobs::run_once(&app.state.jobs(), later).await.unwrap();
    assert_eq!(round.offers_expired, 1);
    assert_eq!(
        counts(&app, class).await,
        pairs(&[("confirmed", 1), ("expired", 1), ("offered", 1), ("withdrawn", 1)])
    );
    assert_eq!(
        message_kinds(&app, "person3@example.org").await,
        ["application_received", "seat_offered", "offer_expired"]
    );
    // Running the job again (another instance, a retry) changes nothing.
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), later)
            .await
            .unwrap()
            .offers_expired,
        0
    );

    let fourth = sign_in(&app, &link_token(&app, "person4@example.org").await).await;
    let res = post_with(&app, &fourth, &format!("/my/applications/{}/accept", ids[3])).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        counts(&app, class).await,
        pairs(&[("confirmed", 2), ("expired", 1), ("withdrawn", 1)])
    );

    // Someone else's application is invisible, whatever the id.
    let res = post_form(
        &app,
        Some(&fourth),
        &format!("/my/applications/{}/withdraw", ids[1]),
        &confirm,
    )
    .await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(
        get_as(&app, Some(&fourth), &format!("/my/applications/{}/withdraw", ids[1])).await,
        404
    );
    assert_eq!(
        post_with(&app, &fourth, &format!("/my/applications/{}/keep", ids[1]))
            .await
            .status()
            .as_u16(),
        404
    );
    let res = post_with(&app, &fourth, &format!("/my/applications/{}/accept", ids[3])).await;
    assert_eq!(res.status().as_u16(), 409, "no open offer any more");
}

async fn the_class_page_says_what_applying_does_before_the_form(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 1,
            ..Default::default()
        },
    )
    .await;
    let page = || async { app.get_text(&format!("/classes/{class}")).await.1 };
    let open = page().await;
    let prompt = open.find("Apply for a seat").expect("the primary action");
    assert!(prompt < open.find("id=\"apply-heading\"").unwrap(), "before the form");
    assert!(!open.contains("Join the waitlist"));
    apply(&app, class, &applicant(1), None).await;
    // The last seat is taken: the cached page changes with it.
    let full = page().await;
    assert!(full.contains("This class is full"), "{full}");
    assert!(full.contains("Join the waitlist"));
    assert!(full.contains("Your application goes on the waitlist."));
    assert!(!full.contains("Apply for a seat"));
}

async fn links_work_once_and_expire(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    apply(&app, class, &applicant(1), None).await;
    let token = link_token(&app, "person1@example.org").await;
    sign_in(&app, &token).await;
    let again = app
        .client
        .post(format!("{}/my/link/{token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 410, "a used link is refused");
    assert!(again.text().await.unwrap().contains("This link no longer works"));

    // "Find my application" sends a fresh link, valid for a day.
    let res = app
        .client
        .post(format!("{}/my/link", app.address))
        .form(&[("email", "Person1@Example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        message_kinds(&app, "person1@example.org").await,
        ["application_received", "access_link"]
    );
    let fresh = link_token(&app, "person1@example.org").await;
    let tomorrow = Timestamp::now().checked_add(SignedDuration::from_hours(25)).unwrap();
    assert!(
        precinct::service::applicants::open_session(&app.store, &fresh, tomorrow)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        precinct::service::applicants::open_session(&app.store, &fresh, Timestamp::now())
            .await
            .unwrap()
            .is_some()
    );

    // Unknown addresses get the same answer and no email.
    let res = app
        .client
        .post(format!("{}/my/link", app.address))
        .form(&[("email", "nobody@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(app.mailbox("nobody@example.org").await.is_empty());
    // Without a session, the applications page sends you to ask for a link.
    let res = app.get("/my/applications").await;
    assert_eq!(res.status().as_u16(), 303);
}

/// The public application form as a resident fills it; an empty `token` is what the class
/// page sends (no token: the content keys it).
pub fn form_fields(n: usize, token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", format!("Form{n}")),
        ("last_name", "Person".into()),
        ("email", format!("form{n}@example.org")),
        ("phone", "555 010 7777".into()),
        ("dob_month", "2".into()),
        ("dob_day", "3".into()),
        ("dob_year", "1990".into()),
        ("city", "Harbor Point".into()),
        ("affiliation", "member".into()),
        ("organization", "Harbor Point Rotary Club".into()),
        ("emergency_name", "Kin Person".into()),
        ("emergency_phone", "555 010 8888".into()),
        ("waiver_accepted", "yes".into()),
        ("form_token", token.into()),
    ]
}

async fn the_form_keeps_what_was_typed_and_a_double_submit_files_once(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let (status, page) = app.get_text(&format!("/classes/{class}")).await;
    assert_eq!(status, 200);
    // The page is the same for every reader: no per-reader token on it.
    assert!(!page.contains(r#"name="form_token""#));

    let mut bad = form_fields(1, "tok-1");
    bad.retain(|(k, _)| *k != "email");
    let res = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Your application was not sent"));
    assert!(html.contains("Enter your email address."));
    assert!(html.contains(r#"value="Form1""#), "typed values are kept");
    assert!(html.contains(r#"name="dob_year" type="text""#) && html.contains(r#"value="1990""#));
    assert!(html.contains(r#"aria-invalid="true""#));
    // A birth date with a box left empty is refused at its field, whose link leads there.
    let mut half = form_fields(1, "tok-1a");
    half.retain(|(k, _)| *k != "dob_day");
    let res = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .form(&half)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r##"<a href="#date_of_birth">"##), "{html}");
    assert!(html.contains(r#"id="date_of_birth-error""#), "{html}");

    // Well-formed but breaking a program rule: the rule is named beside its field.
    let mut no_waiver = form_fields(1, "tok-1b");
    no_waiver.retain(|(k, _)| *k != "waiver_accepted");
    let res = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .form(&no_waiver)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Accept the waiver to apply."));
    assert!(html.contains(r#"id="waiver_accepted-error""#));

    // Sent as the page sends it, without a token: the content keys it.
    let good = form_fields(2, "");
    let first = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .form(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status().as_u16(), 200);
    let first = first.text().await.unwrap();
    assert!(first.contains("Application received"));
    assert!(first.contains("You have a seat."));
    let second = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .form(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status().as_u16(), 200);
    let number = |html: &str| {
        html.split("is number ")
            .nth(1)
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        number(&first),
        number(&second.text().await.unwrap()),
        "the same application, not a second one"
    );
    assert_eq!(counts(&app, class).await, pairs(&[("confirmed", 1)]));

    // The same person again with other details, or through a client that sends its own
    // token, is caught as a duplicate.
    let mut changed = form_fields(2, "");
    changed.retain(|(k, _)| *k != "phone");
    changed.push(("phone", "555 010 9999".into()));
    let res = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .form(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 409);
    assert!(res.text().await.unwrap().contains("already applied"));
    let again = form_fields(2, "tok-3");
    let res = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .form(&again)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 409);
    assert!(res.text().await.unwrap().contains("already applied"));
}

async fn cross_site_form_posts_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let res = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .header("Origin", "https://attacker.example")
        .header("Sec-Fetch-Site", "cross-site")
        .form(&form_fields(1, "tok"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let same_site = app
        .client
        .post(format!("{}/classes/{class}/apply", app.address))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&form_fields(1, "tok"))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status().as_u16(), 200);
    assert_eq!(counts(&app, class).await, pairs(&[("confirmed", 1)]));
}

async fn bursts_from_one_address_are_rate_limited(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            demo: true,
            rate_limit: Some(3),
            ..Default::default()
        },
    )
    .await;
    let class = open_class(&app, ClassSpec::default()).await;
    let mut statuses = Vec::new();
    for n in 0..5 {
        statuses.push(apply(&app, class, &applicant(n), None).await);
    }
    let codes: Vec<u16> = statuses.iter().map(|(s, _)| *s).collect();
    assert_eq!(codes, [201, 201, 201, 429, 429]);
    assert_eq!(statuses[3].1["type"], "/problems/rate-limited");
    // Reading pages is never limited.
    for _ in 0..10 {
        assert_eq!(app.get("/").await.status().as_u16(), 200);
    }
}

async fn a_lottery_draws_verifiably_when_registration_closes(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 3,
            lottery: true,
            closes_in_hours: 1,
            ..Default::default()
        },
    )
    .await;
    precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    let (_, page) = app.get_text(&format!("/classes/{class}")).await;
    assert!(page.contains("Seats are drawn by lottery"));
    let record = app.store.lottery_record(class).await.unwrap().unwrap();
    let hash = record.seed_hash.clone().expect("committed to a seed when open");
    assert!(page.contains(&hash));
    assert!(record.seed.is_none(), "the seed stays secret until the draw");

    let mut ids = Vec::new();
    for n in 0..10 {
        let (status, body) = apply(&app, class, &applicant(n), None).await;
        assert_eq!((status, body["status"].as_str()), (201, Some("entered")));
        ids.push(body["id"].as_i64().unwrap());
    }
    let after_close = Timestamp::now().checked_add(SignedDuration::from_hours(2)).unwrap();
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), after_close)
            .await
            .unwrap()
            .lotteries_drawn,
        1
    );
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), after_close)
            .await
            .unwrap()
            .lotteries_drawn,
        0,
        "drawn once"
    );

    let record = app.store.lottery_record(class).await.unwrap().unwrap();
    let seed_hex = record.seed.expect("revealed after the draw");
    let seed = precinct::domain::lottery::parse_seed(&seed_hex).unwrap();
    assert_eq!(
        precinct::domain::lottery::seed_hash(&seed),
        hash,
        "the revealed seed matches the commitment"
    );
    let order = precinct::domain::lottery::draw(&seed, &record.entrants);
    let mut sorted = record.entrants.clone();
    sorted.sort_unstable();
    let mut expected_ids = ids.clone();
    expected_ids.sort_unstable();
    assert_eq!(sorted, expected_ids);
    let waitlist: Vec<i64> = app
        .store
        .waitlist(class)
        .await
        .unwrap()
        .iter()
        .map(|i| i.get())
        .collect();
    assert_eq!(waitlist, order[3..].to_vec(), "the waitlist follows the draw");
    assert_eq!(counts(&app, class).await, pairs(&[("confirmed", 3), ("waitlisted", 7)]));
    let (_, page) = app.get_text(&format!("/classes/{class}")).await;
    assert!(page.contains(&seed_hex));

    // The command anyone can run gives the same order.
    let ids_arg: Vec<String> = record.entrants.iter().map(i64::to_string).collect();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_precinct"))
        .args([
            "lottery",
            "verify",
            "--seed",
            &seed_hex,
            "--hash",
            &hash,
            "--ids",
            &ids_arg.join(","),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Vec<i64> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' ').and_then(|(_, id)| id.parse().ok()))
        .collect();
    assert_eq!(printed, order);
    let kinds = message_kinds(&app, "person0@example.org").await;
    assert_eq!(kinds, ["application_received", "lottery_result"]);
}

async fn the_outbox_is_delivered_once_as_files(backend: Backend) {
    let app = spawn(backend).await;
    crate::helpers::without_demo_reminders(&app).await;
    let class = open_class(&app, ClassSpec::default()).await;
    for n in 0..3 {
        apply(&app, class, &applicant(n), None).await;
    }
    let now = Timestamp::now();
    let first = precinct::jobs::run_once(&app.state.jobs(), now).await.unwrap();
    assert_eq!(first.messages_delivered, 3);
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), now)
            .await
            .unwrap()
            .messages_delivered,
        0
    );
    let dir = app.state.config.mail_dir();
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 3);
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(eml.contains("Subject: Application received"), "{eml}");
    assert!(eml.contains("To: person"));
}

async fn announced_classes_show_no_form(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            status: ClassStatus::Announced,
            ..Default::default()
        },
    )
    .await;
    let (_, html) = app.get_text(&format!("/classes/{class}")).await;
    assert!(!html.contains(r#"name="form_token""#));
    assert!(html.contains("Applications are not being taken"));
}

async fn the_interest_list_hears_about_new_classes_until_it_leaves(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            status: ClassStatus::Draft,
            ..Default::default()
        },
    )
    .await;
    let programs = app.get_json("/api/v1/programs").await;
    let slug = programs["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Scenario Academy")
        .and_then(|p| p["slug"].as_str())
        .unwrap()
        .to_string();
    let (_, page) = app.get_text(&format!("/programs/{slug}")).await;
    assert!(page.contains("Stay tuned for the next class"));
    let res = app
        .client
        .post(format!("{}/programs/{slug}/interest", app.address))
        .form(&[("email", "fan@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap().contains("You are on the list"));
    // Joining twice keeps one subscription.
    app.client
        .post(format!("{}/programs/{slug}/interest", app.address))
        .form(&[("email", "FAN@example.org")])
        .send()
        .await
        .unwrap();

    let now = Timestamp::now();
    let told = precinct::service::classes::set_class_status(
        &app.store,
        &app.state.links,
        "test",
        class,
        ClassStatus::Announced,
        now,
    )
    .await
    .unwrap();
    assert_eq!(told, 1);
    let messages = app.mailbox("fan@example.org").await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].kind, "class_announced");
    let url = messages[0]
        .unsubscribe_url
        .clone()
        .expect("list mail names its unsubscribe address");
    let start = url.find("/interest/unsubscribe/").unwrap();
    let path = url[start..].to_string();
    let (status, confirm) = app.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Stop these emails"));
    assert_eq!(
        app.store
            .active_subscribers(precinct::domain::ProgramId::new(0))
            .await
            .unwrap()
            .len(),
        0
    );
    // What a mail client's one-click unsubscribe sends (RFC 8058).
    let res = app
        .client
        .post(format!("{}{path}", app.address))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let told = precinct::service::classes::set_class_status(
        &app.store,
        &app.state.links,
        "test",
        class,
        ClassStatus::Open,
        now,
    )
    .await
    .unwrap();
    assert_eq!(told, 0, "nobody left on the list");
    assert_eq!(app.mailbox("fan@example.org").await.len(), 1);
    // An unknown token is a clear 404, not an error.
    assert_eq!(app.get("/interest/unsubscribe/nope").await.status().as_u16(), 404);
}

async fn applicants_correct_their_details_and_more_seats_go_to_the_waitlist(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 1,
            ..Default::default()
        },
    )
    .await;
    for n in 1..=3 {
        apply(&app, class, &applicant(n), None).await;
    }
    let cookie = sign_in(&app, &link_token(&app, "person1@example.org").await).await;
    let list = app
        .client
        .get(format!("{}/my/applications", app.address))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    let html = list.text().await.unwrap();
    assert!(html.contains("Correct my contact details"));
    let id = html
        .split("/my/applications/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let res = app
        .client
        .post(format!("{}/my/applications/{id}/correct", app.address))
        .header(COOKIE, &cookie)
        .form(&[
            ("phone", "555 010 4242"),
            ("emergency_name", "New Kin"),
            ("emergency_phone", "555 010 4343"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let html = app.page_as(&cookie, "/my/applications?done=corrected").await;
    assert!(html.contains(r#"value="555 010 4242""#));
    assert!(html.contains("Your contact details are updated."));
    let bad = app
        .client
        .post(format!("{}/my/applications/{id}/correct", app.address))
        .header(COOKIE, &cookie)
        .form(&[
            ("phone", "12"),
            ("emergency_name", ""),
            ("emergency_phone", "555 010 4343"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let text = bad.text().await.unwrap();
    assert!(
        text.contains("7 to 15 digits") && text.contains("emergency contact"),
        "{text}"
    );

    // Staff add a seat: the head of the waitlist is offered it at once.
    let offered =
        precinct::service::classes::change_capacity(&app.store, &app.state.links, "test", class, 2, Timestamp::now())
            .await
            .unwrap();
    assert_eq!(offered, 1);
    assert_eq!(
        counts(&app, class).await,
        pairs(&[("confirmed", 1), ("offered", 1), ("waitlisted", 1)])
    );
    assert_eq!(
        message_kinds(&app, "person2@example.org").await,
        ["application_received", "seat_offered"]
    );
}

on_both_backends!(
    a_withdrawal_offers_the_seat_and_an_unanswered_offer_passes_on,
    the_class_page_says_what_applying_does_before_the_form,
    links_work_once_and_expire,
    the_form_keeps_what_was_typed_and_a_double_submit_files_once,
    cross_site_form_posts_are_refused,
    bursts_from_one_address_are_rate_limited,
    a_lottery_draws_verifiably_when_registration_closes,
    the_outbox_is_delivered_once_as_files,
    announced_classes_show_no_form,
    the_interest_list_hears_about_new_classes_until_it_leaves,
    applicants_correct_their_details_and_more_seats_go_to_the_waitlist,
);
