//! No staff view hands out someone else's working link. Every kind of message that
//! carries a private link is queued (through the service where a form causes it, and
//! from its rule in `domain::mail` otherwise, so a new kind is walked without anyone
//! remembering it); then every staff role walks every page, export and API answer it
//! can reach, and the service's own log lines are read, looking for any of those links.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use precinct::domain::mail::{self, LINK_MARK, LinkKind};
use precinct::store::outbox::{OutgoingMessage, SecretLink};
use reqwest::header::{AUTHORIZATION, COOKIE};

use crate::actors::{ADMIN, COORDINATOR, PRESENTING_OFFICER, get_as, post_as, post_page, session};
use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, TestApp};

/// The tokens of every private link in messages to `recipients`, with their kinds.
async fn private_tokens(app: &TestApp, recipients: &[String]) -> Vec<(LinkKind, String)> {
    let mut found = Vec::new();
    for to in recipients {
        for m in app.mailbox(to).await {
            for kind in LinkKind::ALL {
                let mut rest = m.body_text.as_str();
                while let Some(i) = rest.find(kind.path()) {
                    let tail = &rest[i + kind.path().len()..];
                    let token: String = tail
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    if token.len() >= 20 {
                        found.push((kind, token));
                    }
                    rest = tail;
                }
            }
        }
    }
    found
}

/// Every `href` of a page that stays inside the back office or the API.
fn links(page: &str) -> Vec<String> {
    page.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .filter(|h| h.starts_with("/staff") || h.starts_with("/api/v1"))
        .filter(|h| !h.starts_with("/staff/sign-out"))
        .collect()
}

/// Walks what `cookie` can reach from the staff home; fails on any page holding a token.
async fn walk(app: &TestApp, who: &str, cookie: &str, tokens: &[(LinkKind, String)]) -> usize {
    let mut seen = HashSet::new();
    let mut queue: VecDeque<String> = ["/staff", "/staff/outbox", "/staff/outbox?status=failed", "/staff/audit"]
        .into_iter()
        .map(String::from)
        .collect();
    let mut visited = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || visited >= 600 {
            continue;
        }
        visited += 1;
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .header(COOKIE, cookie)
            .send()
            .await
            .unwrap();
        // A role's home may send it on to its own work (a counselor's nominations).
        if let Some(to) = res
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            && to.starts_with("/staff")
        {
            queue.push_back(to.to_string());
        }
        let bytes = res.bytes().await.unwrap();
        // A PDF's text is compressed: read it as a person would.
        let body = if bytes.starts_with(b"%PDF") {
            crate::attendance::pdf_text(&bytes).into()
        } else {
            String::from_utf8_lossy(&bytes)
        };
        for (kind, token) in tokens {
            assert!(!body.contains(token.as_str()), "{who} read a {kind} link on {path}");
        }
        queue.extend(links(&body));
    }
    visited
}

/// Every GET operation of the staff API with a bearer token of `role`.
async fn walk_api(app: &TestApp, role: &str, tokens: &[(LinkKind, String)]) -> usize {
    let bearer = crate::manage::token(app, role);
    let doc = app.get_json("/api/v1/openapi.json").await;
    let mut calls = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if ops.get("get").is_none() {
            continue;
        }
        for id in ["1", "2", "3"] {
            let concrete: String = path
                .split('/')
                .map(|part| if part.starts_with('{') { id } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let res = app
                .client
                .get(format!("{}/api/v1{concrete}", app.address))
                .header(AUTHORIZATION, format!("Bearer {bearer}"))
                .send()
                .await
                .unwrap();
            let body = res.text().await.unwrap();
            calls += 1;
            for (kind, token) in tokens {
                assert!(
                    !body.contains(token.as_str()),
                    "{role} token read a {kind} link on {concrete}"
                );
            }
        }
    }
    calls
}

/// A log writer the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn no_staff_view_yields_someone_elses_link(backend: Backend) {
    // On a current-thread runtime every task of the service logs through this subscriber.
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_env_filter("debug,sqlx=warn,hyper=info,h2=info,tower=info")
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let admin = session(&app, ADMIN).await;
    let officer = session(&app, PRESENTING_OFFICER).await;
    let mut recipients: Vec<String> = Vec::new();

    // Through the service: an application, a "find my application" link, staff password
    // resets (an administrator's too), a counselor's welcome, a community request.
    let class = open_class(&app, ClassSpec::default()).await;
    apply(&app, class, &applicant(1), None).await;
    recipients.push("person1@example.org".into());
    let res = app
        .client
        .post(format!("{}/my/link", app.address))
        .form(&[("email", "person1@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    for email in [ADMIN, COORDINATOR] {
        let res = app
            .client
            .post(format!("{}/staff/password-reset", app.address))
            .form(&[("email", email)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        recipients.push(email.into());
    }
    let school = app
        .store
        .schools()
        .await
        .unwrap()
        .first()
        .map(|s| s.id.to_string())
        .expect("a demo school");
    let (status, _, _) = post_page(
        &app,
        &coordinator,
        "/staff/schools/counselors",
        &[
            ("full_name", "Rita Okoye"),
            ("email", "rita.okoye@schools.example"),
            ("school", school.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    recipients.push("rita.okoye@schools.example".into());
    crate::requests::file_traffic_request(&app, "Loud racing most weekend nights.").await;
    recipients.push("dana@example.org".into());

    // Every other kind with a link, from its rule: a new kind is walked the day it is declared.
    let queued: BTreeSet<&str> = {
        let mut kinds = BTreeSet::new();
        for to in &recipients {
            for m in app.mailbox(to).await {
                if let Some(rule) = mail::rule_for(&m.kind) {
                    kinds.insert(rule.kind);
                }
            }
        }
        kinds
    };
    let mut tx = app.store.begin().await.unwrap();
    for rule in mail::KINDS
        .iter()
        .filter(|r| r.link.is_some() && !queued.contains(r.kind))
    {
        let to = format!("{}@example.org", rule.kind);
        let link = SecretLink::new(
            rule.link.unwrap(),
            &app.address,
            &precinct::auth::tokens::generate(),
            None,
        );
        tx.enqueue(
            &OutgoingMessage {
                kind: rule.kind,
                recipient: to.clone(),
                subject: format!("A {} message", rule.kind),
                body_text: format!("Hello,\n\nYour link:\n{LINK_MARK}\n"),
                link: Some(link),
                ..Default::default()
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
        recipients.push(to);
    }
    tx.commit().await.unwrap();

    let tokens = private_tokens(&app, &recipients).await;
    let kinds: HashSet<LinkKind> = tokens.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds.len(),
        LinkKind::ALL.len(),
        "every kind of link is queued: {kinds:?}"
    );

    // One message failed: its detail page and a resend show no link, and the resent one
    // carries a fresh link while the old one stops working.
    let failed = app.mailbox("person1@example.org").await.pop().expect("a sign-in link");
    assert_eq!(failed.kind, "access_link");
    let old = &private_tokens(&app, &["person1@example.org".to_string()])
        .await
        .last()
        .unwrap()
        .1
        .clone();
    app.store
        .mark_failed(failed.id, "550 mailbox unavailable", None)
        .await
        .unwrap();
    let (status, location, _) =
        post_page(&app, &coordinator, &format!("/staff/outbox/{}/resend", failed.id), &[]).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/staff/outbox?status=pending&resent=1"))
    );
    let resent = app.mailbox("person1@example.org").await.pop().unwrap();
    assert_eq!(resent.id, failed.id);
    assert!(!resent.body_text.contains(old.as_str()), "a resend mints a fresh link");
    let fresh = private_tokens(&app, &["person1@example.org".to_string()]).await;
    let new = &fresh.last().expect("the resent link").1;
    let use_link = |token: String| {
        let url = format!("{}/my/link/{token}", app.address);
        let client = app.client.clone();
        async move { client.post(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(use_link(old.clone()).await, 410, "the replaced link no longer signs in");
    assert_eq!(use_link(new.clone()).await, 303, "the fresh link signs in");
    let tokens: Vec<(LinkKind, String)> = tokens.into_iter().chain(fresh).collect();

    // Staff-account mail is listed to administrators only, and even they read no link.
    let admin_outbox = app.page_as(&admin, "/staff/outbox").await;
    let coordinator_outbox = app.page_as(&coordinator, "/staff/outbox").await;
    assert!(admin_outbox.contains("Reset your"));
    assert!(!coordinator_outbox.contains("Reset your") && !coordinator_outbox.contains("staff password reset"));
    assert!(coordinator_outbox.contains("sign-in link to their applications"));
    let reset = app
        .mailbox(ADMIN)
        .await
        .into_iter()
        .find(|m| m.kind == "staff_password_reset")
        .expect("the administrator's reset");
    let detail = format!("/staff/outbox/{}", reset.id);
    assert_eq!(get_as(&app, Some(&coordinator), &detail).await, 404);
    assert_eq!(
        post_as(&app, Some(&coordinator), &format!("{detail}/resend"), &[]).await,
        404
    );
    let shown = app.page_as(&admin, &detail).await;
    assert!(shown.contains("valid until"), "staff read until when a link works");

    // Every role walks everything it can reach.
    let counselor = session(&app, precinct::demo::DEMO_COUNSELOR_EMAIL).await;
    let instructor = session(&app, precinct::demo::DEMO_OFFICER_EMAIL).await;
    for (who, cookie) in [
        ("administrator", &admin),
        ("coordinator", &coordinator),
        ("officer", &officer),
        ("counselor", &counselor),
        ("DARE instructor", &instructor),
    ] {
        let pages = walk(&app, who, cookie, &tokens).await;
        assert!(pages > 5, "{who} reached {pages} pages");
    }
    for role in ["admin", "coordinator", "officer"] {
        assert!(walk_api(&app, role, &tokens).await > 0);
    }

    // Delivery and the log lines of everything above.
    precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    let logs = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(logs.contains("request"), "the service's log lines were captured");
    for (kind, token) in &tokens {
        assert!(!logs.contains(token.as_str()), "a log line holds a {kind} link");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn sqlite_no_staff_view_yields_someone_elses_link() {
    no_staff_view_yields_someone_elses_link(Backend::Sqlite).await;
}

#[tokio::test(flavor = "current_thread")]
async fn postgres_no_staff_view_yields_someone_elses_link() {
    if let Some(backend) = Backend::postgres() {
        no_staff_view_yields_someone_elses_link(backend).await;
    }
}
