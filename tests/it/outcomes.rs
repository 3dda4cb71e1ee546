//! Outcome surveys, alumni and the annual report over real HTTP: links sent by the job
//! once, answered once, stored without their author; results against hand-computed
//! figures with small groups hidden; versioning; alumni mail; the report's contents.

use std::collections::BTreeSet;

use jiff::Timestamp;
use precinct::domain::{ApplicationId, ClassId};
use reqwest::header::{COOKIE, LOCATION};

use crate::actors::{COORDINATOR, OTHER_OFFICER, get_as, post_as, session};
use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, Options, TestApp, TestDb, spawn_app_with};
use crate::on_both_backends;

/// A class of `n` confirmed applicants (person1..personN) in a program that asks the
/// standard survey; returns the class and the program's slug.
async fn surveyed_class(app: &TestApp, coordinator: &str, n: usize) -> (ClassId, String) {
    let class = open_class(
        app,
        ClassSpec {
            capacity: 20,
            ..Default::default()
        },
    )
    .await;
    let slug = app.store.class(class).await.unwrap().unwrap().program_slug;
    let res = app
        .client
        .post(format!("{}/staff/programs/{slug}/survey", app.address))
        .header(COOKIE, coordinator)
        .form(&[("action", "default"), ("active", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()[LOCATION],
        format!("/staff/programs/{slug}/survey?saved=1")
    );
    for i in 1..=n {
        let (status, body) = apply(app, class, &applicant(i), None).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["status"], "confirmed");
    }
    (class, slug)
}

/// The newest survey link emailed to `email`.
async fn survey_link(app: &TestApp, email: &str) -> String {
    let messages = app.mailbox(email).await;
    let m = messages
        .iter()
        .rev()
        .find(|m| m.kind == "survey_invitation")
        .unwrap_or_else(|| panic!("{email} got a survey link"));
    let token = m
        .body_text
        .split("/surveys/")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    format!("/surveys/{token}")
}

async fn answer(app: &TestApp, link: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = app
        .client
        .post(format!("{}{link}", app.address))
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn graduate_all(app: &TestApp, class: ClassId) {
    let ids: Vec<ApplicationId> = app
        .store
        .participants(class)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut tx = app.store.begin().await.unwrap();
    tx.complete_class(class, &ids, &[], Timestamp::now()).await.unwrap();
    tx.commit().await.unwrap();
}

/// Trust answers before (six people) and after (five of them): the fixture the
/// statistics are computed from by hand below.
const TRUST_PRE: [&str; 6] = ["2", "3", "2", "4", "1", "3"];
const TRUST_POST: [&str; 5] = ["4", "4", "2", "5", "3"];

async fn a_participant_answers_before_and_after_once_each(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let (class, slug) = surveyed_class(&app, &coordinator, 6).await;

    // The job sends one pre-survey link per confirmed participant (here and in the
    // demo's open class), once.
    let round = precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    assert!(round.survey_invitations_queued >= 6);
    for i in 1..=6 {
        let got = app.mailbox(&format!("person{i}@example.org")).await;
        assert_eq!(got.iter().filter(|m| m.kind == "survey_invitation").count(), 1);
    }
    let again = precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    assert_eq!(again.survey_invitations_queued, 0, "no second link");

    let link = survey_link(&app, "person1@example.org").await;
    let (status, page) = app.get_text(&link).await;
    assert_eq!(status, 200);
    assert!(page.contains("I trust the officers of this department to treat people fairly."));
    assert!(
        page.contains("I&#39;d rather not answer"),
        "every question can be skipped"
    );

    // An answer off the scale is refused with the reason, and nothing is spent.
    let (status, page) = answer(&app, &link, &[("trust", "9")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose one point from 1 to 5"));
    assert_eq!(app.get(&link).await.status().as_u16(), 200, "the link still works");

    let (status, page) = answer(
        &app,
        &link,
        &[("trust", TRUST_PRE[0]), ("safety", ""), ("contact", "4")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("Thank you"));
    // Single use: a second answer and a second visit are refused.
    let (status, page) = answer(&app, &link, &[("trust", "5")]).await;
    assert_eq!(status, 410);
    assert!(page.contains("has been used"));
    assert_eq!(app.get(&link).await.status().as_u16(), 410);
    assert_eq!(app.get("/surveys/not-a-link").await.status().as_u16(), 404);

    // Eight sends of one link at once store one sheet.
    let link2 = survey_link(&app, "person2@example.org").await;
    let mut racers = Vec::new();
    for _ in 0..8 {
        let client = app.client.clone();
        let url = format!("{}{link2}", app.address);
        racers.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[("trust", TRUST_PRE[1]), ("contact", "3")])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut codes = Vec::new();
    for r in racers {
        codes.push(r.await.unwrap());
    }
    codes.sort();
    assert_eq!(codes, [200, 410, 410, 410, 410, 410, 410, 410]);
    let program = app.store.class(class).await.unwrap().unwrap().program_id;
    assert_eq!(app.store.survey_responses(program, None).await.unwrap().len(), 2);

    for (i, trust) in TRUST_PRE.iter().enumerate().skip(2) {
        let link = survey_link(&app, &format!("person{}@example.org", i + 1)).await;
        let mut form = vec![("trust", *trust), ("safety", "3")];
        if i == 2 {
            form.push(("contact", "5"));
        }
        assert_eq!(answer(&app, &link, &form).await.0, 200);
    }

    // Graduation brings the post-survey link.
    graduate_all(&app, class).await;
    let round = precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    assert_eq!(round.survey_invitations_queued, 6);
    for (i, trust) in TRUST_POST.iter().enumerate() {
        let link = survey_link(&app, &format!("person{}@example.org", i + 1)).await;
        assert!(app.get_text(&link).await.1.contains("now that you have graduated"));
        let mut form = vec![("trust", *trust), ("safety", "4")];
        if i < 2 {
            form.push(("comments", "The ride-along night opened my eyes."));
        }
        assert_eq!(answer(&app, &link, &form).await.0, 200);
    }

    // Pre and post sheets of one person share a pair code; different people do not.
    let sheets = app.store.survey_responses(program, None).await.unwrap();
    assert_eq!(sheets.len(), 11);
    let codes: BTreeSet<&str> = sheets.iter().map(|s| s.pair_code.as_str()).collect();
    assert_eq!(codes.len(), 6);
    let paired = codes
        .iter()
        .filter(|c| sheets.iter().filter(|s| s.pair_code == **c).count() == 2)
        .count();
    assert_eq!(paired, 5);

    // The results, against the hand computation:
    // differences 2, 1, 0, 1, 2: mean 1.2; sample variance 2.8 / 4 = 0.7;
    // standard error sqrt(0.7 / 5) = 0.37417; t(4) = 2.776, so 1.2 ± 1.03869.
    let viewer = session(&app, COORDINATOR).await;
    for scope in ["", &format!("?class={class}")] {
        let page = app
            .page_as(&viewer, &format!("/staff/programs/{slug}/survey/results{scope}"))
            .await;
        assert!(
            page.contains(
                "Among the 5 participants who answered both times: mean 2.40 before, 3.60 after, a change of +1.20 (95% confidence interval +0.16 to +2.24)."
            ),
            "{page}"
        );
        // Trust before: 1 once, 2 twice, 3 twice, 4 once, of six.
        assert!(
            page.contains("<th scope=\"row\">2</th><td>2 (33%)</td><td>1 (20%)</td>"),
            "{page}"
        );
        assert!(page.contains("<th scope=\"row\">5 – Strongly agree</th><td>0 (0%)</td><td>1 (20%)</td>"));
        // "Would call": three answers before, none after: hidden.
        assert!(page.contains("Fewer than 5 answers so far (3 in all), so nothing is shown."));
        // Two comments: too few to show, so the words stay out.
        assert!(!page.contains("opened my eyes"));
        assert!(page.contains("Fewer than 5 people wrote something"));
        // Response rates: six of six before, five of six after.
        assert!(page.contains("<th scope=\"row\">Before</th><td>6</td><td>6</td><td>100%</td>"));
        assert!(page.contains("<th scope=\"row\">After</th><td>6</td><td>5</td><td>83%</td>"));
        assert!(page.contains("<svg role=\"img\" aria-labelledby=\"chart-trust-title chart-trust-desc\""));
    }
    let csv = app
        .client
        .get(format!("{}/staff/programs/{slug}/survey/results.csv", app.address))
        .header(COOKIE, &viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert!(csv.contains(",invitations answered,6 of 6,5 of 6"), "{csv}");
    assert!(csv.contains("trust,I trust the officers of this department to treat people fairly.,answer: 2,2,1"));
    assert!(csv.contains(",mean change,,1.200"));
    assert!(
        csv.contains("answered,fewer than 5,0"),
        "the three answers before stay hidden"
    );
    assert!(!csv.contains("opened my eyes"), "no free text in files");

    // Officers see neither the editor nor the results; a bad class is a clear 400.
    let officer = session(&app, OTHER_OFFICER).await;
    assert_eq!(
        get_as(&app, Some(&officer), &format!("/staff/programs/{slug}/survey")).await,
        403
    );
    assert_eq!(
        get_as(&app, Some(&officer), &format!("/staff/programs/{slug}/survey/results")).await,
        403
    );
    assert_eq!(
        get_as(
            &app,
            Some(&viewer),
            &format!("/staff/programs/{slug}/survey/results?class=x")
        )
        .await,
        400
    );
}

async fn survey_answers_cannot_be_joined_to_a_person(backend: Backend) {
    let db = TestDb::new(backend).await;
    let app = spawn_app_with(
        backend,
        Options {
            demo: true,
            database_url: Some(db.url.clone()),
            ..Default::default()
        },
    )
    .await;
    let coordinator = session(&app, COORDINATOR).await;
    let (class, _) = surveyed_class(&app, &coordinator, 1).await;
    precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    let link = survey_link(&app, "person1@example.org").await;
    assert_eq!(answer(&app, &link, &[("trust", "3")]).await.0, 200);

    // What an answer sheet holds, and what it refers to: a wording and a class, never
    // a person, an application, an invitation or a time finer than the month.
    let (columns, references, invitation_columns, sheet): (
        BTreeSet<String>,
        BTreeSet<String>,
        BTreeSet<String>,
        (String, String),
    ) = match backend {
        Backend::Sqlite => {
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db.url)
                .await
                .unwrap();
            let cols = |t: &'static str| format!("SELECT name FROM pragma_table_info('{t}')");
            (
                sqlx::query_scalar(sqlx::AssertSqlSafe(cols("survey_responses")))
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
                    .into_iter()
                    .collect(),
                sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_list('survey_responses')")
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
                    .into_iter()
                    .collect(),
                sqlx::query_scalar(sqlx::AssertSqlSafe(cols("survey_invitations")))
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
                    .into_iter()
                    .collect(),
                sqlx::query_as("SELECT id, pair_code FROM survey_responses WHERE class_id = $1")
                    .bind(class.get())
                    .fetch_one(&mut c)
                    .await
                    .unwrap(),
            )
        }
        Backend::Postgres => {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
                .await
                .unwrap();
            let cols = "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1";
            (
                    sqlx::query_scalar(cols).bind("survey_responses").fetch_all(&mut c).await.unwrap().into_iter().collect(),
                    sqlx::query_scalar(
                        "SELECT DISTINCT ccu.table_name::text FROM information_schema.table_constraints tc \
                         JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name \
                         WHERE tc.table_name = 'survey_responses' AND tc.constraint_type = 'FOREIGN KEY' \
                         AND tc.table_schema = current_schema()",
                    )
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
                    .into_iter()
                    .collect(),
                    sqlx::query_scalar(cols).bind("survey_invitations").fetch_all(&mut c).await.unwrap().into_iter().collect(),
                    sqlx::query_as("SELECT id, pair_code FROM survey_responses WHERE class_id = $1").bind(class.get()).fetch_one(&mut c).await.unwrap(),
                )
        }
    };
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
    assert_eq!(
        columns,
        set(&[
            "id",
            "version_id",
            "class_id",
            "phase",
            "answered_in",
            "pair_code",
            "answers"
        ])
    );
    assert_eq!(references, set(&["survey_versions", "classes"]));
    // An invitation knows whether it was used, not when, nor which sheet it became.
    assert_eq!(
        invitation_columns,
        set(&["id", "application_id", "phase", "token_hash", "used", "sent_at"])
    );
    // The sheet's id is random (no insertion order), the pair code a keyed hash that
    // names no application.
    let (id, pair_code) = sheet;
    assert_eq!(id.len(), 43, "{id}");
    assert_eq!(pair_code.len(), 64);
    let key = *app.state.survey_key;
    let mine = app
        .store
        .applications_of(&precinct::domain::application::email_key("person1@example.org"))
        .await
        .unwrap()[0]
        .id;
    assert_eq!(pair_code, precinct::service::outcomes::pair_code(&key, mine));
    assert_ne!(
        pair_code,
        precinct::service::outcomes::pair_code(&[7u8; 32], mine),
        "the code depends on the key"
    );
}

async fn editing_a_used_survey_makes_a_new_version(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let (_, slug) = surveyed_class(&app, &coordinator, 1).await;
    let editor = format!("/staff/programs/{slug}/survey");
    let page = app.page_as(&coordinator, &editor).await;
    assert!(page.contains("name=\"q0_key\"") && page.contains("value=\"trust\""));

    let post = |form: Vec<(String, String)>| {
        let app = &app;
        let coordinator = coordinator.clone();
        let editor = editor.clone();
        async move {
            let res = app
                .client
                .post(format!("{}{editor}", app.address))
                .header(COOKIE, coordinator)
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let location = res.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_string());
            (status, location, res.text().await.unwrap())
        }
    };
    let form = |title: &str, rows: &[(&str, &str, &str, &str)]| -> Vec<(String, String)> {
        let mut f = vec![
            ("title".to_string(), title.to_string()),
            ("active".into(), "yes".into()),
        ];
        for (i, (key, prompt, kind, options)) in rows.iter().enumerate() {
            f.push((format!("q{i}_key"), key.to_string()));
            f.push((format!("q{i}_prompt"), prompt.to_string()));
            f.push((format!("q{i}_kind"), kind.to_string()));
            f.push((format!("q{i}_options"), options.to_string()));
        }
        f
    };
    // Nobody answered yet: an edit changes version 1 in place.
    let (status, location, _) = post(form(
        "Before the class",
        &[
            ("trust", "I trust the department.", "likert5", ""),
            ("heard", "How did you hear of us?", "single", "A friend\nThe website"),
        ],
    ))
    .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(&*format!("{editor}?saved=1")))
    );

    // A broken edit names its problems and saves nothing.
    let (status, _, page) = post(form("", &[("Bad Key", "", "single", "Only one")])).await;
    assert_eq!(status, 422);
    assert!(page.contains("Give the survey a title."));
    assert!(page.contains("A question key uses lowercase letters"));
    assert!(page.contains("A choice needs at least two different, non-empty options."));

    // Someone answers version 1; the next edit makes version 2 and keeps version 1.
    precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    let link = survey_link(&app, "person1@example.org").await;
    assert_eq!(
        answer(&app, &link, &[("trust", "4"), ("heard", "The website")]).await.0,
        200
    );
    assert!(
        app.page_as(&coordinator, &editor)
            .await
            .contains("saving changes creates a new version")
    );
    let (status, location, _) = post(form(
        "Before the class",
        &[("trust", "I trust the officers of the department.", "likert5", "")],
    ))
    .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(&*format!("{editor}?saved=2")))
    );
    let program = app.store.published_program(&slug).await.unwrap().unwrap().id;
    let versions = app.store.survey_versions(program).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        versions[0].instrument.questions.len(),
        2,
        "version 1 is as it was answered"
    );
    assert_eq!(versions[0].instrument.questions[0].prompt, "I trust the department.");
    assert_eq!(versions[1].instrument.questions.len(), 1);
    // Saving the same wording again changes nothing.
    let (_, location, _) = post(form(
        "Before the class",
        &[("trust", "I trust the officers of the department.", "likert5", "")],
    ))
    .await;
    assert_eq!(location.as_deref(), Some(&*format!("{editor}?saved=2")));
    // Results follow the question across versions by its key.
    let page = app.page_as(&coordinator, &format!("{editor}/results")).await;
    assert!(page.contains("I trust the officers of the department."));
    assert!(page.contains("Fewer than 5 answers so far (1 in all)"));
    let audit = app.store.audit_for("program", &slug).await.unwrap();
    assert!(audit.iter().filter(|a| a.action == "survey.save").count() >= 3);
}

async fn graduates_opt_in_to_alumni_news_and_can_leave(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let (class, _) = surveyed_class(&app, &coordinator, 2).await;
    let program = app.store.class(class).await.unwrap().unwrap().program_id.to_string();
    let someone =
        crate::actors::applicant_session(&app, &crate::actors::link_token(&app, "person1@example.org").await).await;
    let people = app.store.participants(class).await.unwrap();
    let id_of = |name: &str| people.iter().find(|p| p.first_name == name).unwrap().id.get();
    let mine = id_of("Person1");
    let opt_in = format!("/my/applications/{mine}/alumni");
    // Before graduating there is nothing to opt in to.
    let res = app
        .client
        .post(format!("{}{opt_in}", app.address))
        .header(COOKIE, &someone)
        .form(&[("keep", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 409);
    graduate_all(&app, class).await;
    let page = app.page_as(&someone, "/my/applications").await;
    assert!(page.contains("Keep in touch as an alumnus"), "{page}");
    let res = app
        .client
        .post(format!("{}{opt_in}", app.address))
        .header(COOKIE, &someone)
        .form(&[("keep", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert!(
        app.page_as(&someone, "/my/applications")
            .await
            .contains("Stop alumni emails")
    );
    // Nobody else's application.
    let other = id_of("Person2");
    let res = app
        .client
        .post(format!("{}/my/applications/{other}/alumni", app.address))
        .header(COOKIE, &someone)
        .form(&[("keep", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);

    // Staff write to alumni: only the one who opted in hears.
    let page = app.page_as(&coordinator, "/staff/alumni").await;
    assert!(page.contains("Graduates keeping in touch"));
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            "/staff/alumni",
            &[("subject", ""), ("body", "x")]
        )
        .await,
        422
    );
    let res = app
        .client
        .post(format!("{}/staff/alumni", app.address))
        .header(COOKIE, &coordinator)
        .form(&[
            ("program", program.as_str()),
            ("subject", "Volunteers wanted for the spring safety fair"),
            ("body", "We need ten graduates to staff the bike-rodeo table."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()[LOCATION], "/staff/alumni?sent=1");
    // A second click on the same message queues nothing more.
    let again = app
        .client
        .post(format!("{}/staff/alumni", app.address))
        .header(COOKIE, &coordinator)
        .form(&[
            ("program", program.as_str()),
            ("subject", "Volunteers wanted for the spring safety fair"),
            ("body", "We need ten graduates to staff the bike-rodeo table."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 303);
    let news: Vec<_> = app
        .mailbox("person1@example.org")
        .await
        .into_iter()
        .filter(|m| m.kind == "alumni")
        .collect();
    assert_eq!(news.len(), 1);
    assert!(news[0].body_text.contains("bike-rodeo"));
    let leave = news[0]
        .unsubscribe_url
        .clone()
        .expect("a one-click unsubscribe address");
    assert!(
        app.mailbox("person2@example.org")
            .await
            .iter()
            .all(|m| m.kind != "alumni")
    );
    let path = &leave[leave.find("/alumni/leave/").unwrap()..];
    let (status, page) = app.get_text(path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Stop alumni emails?"));
    let res = app.client.post(format!("{}{path}", app.address)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(app.get(path).await.status().as_u16(), 404);
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            "/staff/alumni",
            &[("program", program.as_str()), ("subject", "Again"), ("body", "Anyone?")]
        )
        .await,
        422,
        "nobody is left to write to"
    );
}

async fn the_annual_report_shows_the_year(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    // A request this year, so the report has one to count.
    crate::requests::file_traffic_request(&app, "Racing at night.").await;
    let year = Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
        .year();
    let page = app
        .page_as(&coordinator, &format!("/staff/reports/annual?year={year}"))
        .await;
    assert!(page.contains(&format!("<h1>Community programs {year}</h1>")), "{page}");
    assert!(page.contains("Citizen Police Academy"));
    assert!(
        page.contains("<th scope=\"row\">Traffic enforcement at a location</th><td>1</td><td>0</td>"),
        "{page}"
    );
    // The demo's graduated class answered the survey before and after.
    assert!(page.contains("I trust the officers of this department to treat people fairly."));
    assert!(page.contains("pairs)"), "a paired change is reported");
    let pdf = app
        .client
        .get(format!("{}/staff/reports/annual.pdf?year={year}", app.address))
        .header(COOKIE, &coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status().as_u16(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let text = crate::attendance::pdf_text(&pdf.bytes().await.unwrap());
    assert!(text.contains(&format!("Community programs {year}")), "{text}");
    assert!(text.contains("Citizen Police Academy"));
    assert!(text.contains("Survey outcomes"));
    assert_eq!(
        get_as(&app, Some(&coordinator), "/staff/reports/annual?year=1850").await,
        400
    );
    let officer = session(&app, OTHER_OFFICER).await;
    assert_eq!(get_as(&app, Some(&officer), "/staff/reports/annual").await, 403);
}

on_both_backends!(
    a_participant_answers_before_and_after_once_each,
    survey_answers_cannot_be_joined_to_a_person,
    editing_a_used_survey_makes_a_new_version,
    graduates_opt_in_to_alumni_news_and_can_leave,
    the_annual_report_shows_the_year,
);
