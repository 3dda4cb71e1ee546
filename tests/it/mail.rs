//! The outbox over real SMTP: what arrives, retries, permanent refusals, two instances
//! sharing one queue, and a crash between claiming a message and sending it.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use precinct::domain::ClassStatus;
use precinct::store::outbox::{OutboxStatus, OutgoingMessage};

use crate::applications::{ClassSpec, applicant, apply, open_class};
use crate::helpers::{Backend, Options, TestApp, TestDb, spawn_app_with};
use crate::smtp_sink::{Mode, SmtpSink};

async fn spawn_with_sink(backend: Backend, sink: &SmtpSink) -> TestApp {
    let app = spawn_app_with(
        backend,
        Options {
            demo: true,
            smtp_url: Some(sink.url()),
            ..Default::default()
        },
    )
    .await;
    crate::helpers::without_demo_reminders(&app).await;
    app
}

fn parse(data: &[u8]) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default()
        .parse(data)
        .expect("a parsable message")
}

async fn queue(app: &TestApp, n: usize, prefix: &str) {
    let mut tx = app.store.begin().await.unwrap();
    for i in 0..n {
        tx.enqueue(
            &OutgoingMessage {
                kind: "class_message",
                recipient: format!("{prefix}{i}@example.org"),
                subject: format!("Message {i}"),
                body_text: format!("Hello {i},\n\nThis is a test.\n"),
                ..Default::default()
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn messages_arrive_over_smtp_as_text_and_html(backend: Backend) {
    let sink = SmtpSink::start(Mode::Accept).await;
    let app = spawn_with_sink(backend, &sink).await;
    let class = open_class(&app, ClassSpec::default()).await;
    for n in 0..3 {
        apply(&app, class, &applicant(n), None).await;
    }
    let round = precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    assert_eq!(round.messages_delivered, 3);
    let received = sink.received();
    assert_eq!(received.len(), 3);
    let recipients: HashSet<String> = received.iter().flat_map(|r| r.rcpt_to.clone()).collect();
    let expected: HashSet<String> = (0..3).map(|n| format!("person{n}@example.org")).collect();
    assert_eq!(recipients, expected);
    for r in &received {
        assert_eq!(r.mail_from, "no-reply@precinct.invalid");
        let mail = parse(&r.data);
        assert!(
            mail.subject().unwrap().starts_with("Application received"),
            "{:?}",
            mail.subject()
        );
        let from = mail.from().and_then(|a| a.first()).unwrap();
        assert_eq!(from.name(), Some("Harbor Point Police Department"));
        // Messages say "reply to this email": replies reach the department's mailbox.
        let reply = mail.reply_to().and_then(|a| a.first()).unwrap();
        assert_eq!(reply.address(), Some("community@harborpoint-pd.example"));
        let text = mail.body_text(0).unwrap();
        let html = mail.body_html(0).unwrap();
        assert!(text.contains("Thank you for applying"), "{text}");
        assert!(text.contains("Sent by the Harbor Point Police Department"), "{text}");
        assert!(html.contains("Thank you for applying"), "{html}");
        assert!(
            html.contains("<a href=\"http://127.0.0.1:"),
            "links are anchors: {html}"
        );
        assert!(
            mail.header_raw("List-Unsubscribe").is_none(),
            "transactional mail has no unsubscribe"
        );
        let id = mail.message_id().unwrap();
        assert!(id.starts_with("outbox-"), "{id}");
    }
    // Nothing is sent twice.
    let again = precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    assert_eq!(again.messages_delivered, 0);
    assert_eq!(sink.count(), 3);
}

async fn list_mail_carries_an_unsubscribe_link(backend: Backend) {
    let sink = SmtpSink::start(Mode::Accept).await;
    let app = spawn_with_sink(backend, &sink).await;
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
    let res = app
        .client
        .post(format!("{}/programs/{slug}/interest", app.address))
        .form(&[("email", "fan@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    precinct::service::classes::set_class_status(
        &app.store,
        &app.state.links,
        "test",
        class,
        ClassStatus::Announced,
        Timestamp::now(),
    )
    .await
    .unwrap();
    precinct::jobs::run_once(&app.state.jobs(), Timestamp::now())
        .await
        .unwrap();
    let received = sink.received();
    assert_eq!(received.len(), 1);
    let mail = parse(&received[0].data);
    let header = mail
        .header_raw("List-Unsubscribe")
        .expect("list mail names its unsubscribe link");
    assert!(header.contains("/interest/unsubscribe/"), "{header}");
    assert_eq!(
        mail.header_raw("List-Unsubscribe-Post").map(str::trim),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(mail.body_html(0).unwrap().contains("Stop these emails"));
    assert!(mail.body_text(0).unwrap().contains("/interest/unsubscribe/"));
}

async fn a_deferred_message_is_retried_with_backoff(backend: Backend) {
    let sink = SmtpSink::start(Mode::Defer).await;
    let app = spawn_with_sink(backend, &sink).await;
    queue(&app, 1, "retry").await;
    let now = Timestamp::now();
    let first = precinct::jobs::run_once(&app.state.jobs(), now).await.unwrap();
    assert_eq!(first.messages_delivered, 0);
    let entries = app.store.outbox_entries(None, "retry0@", true, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].status, OutboxStatus::Pending);
    assert_eq!(entries[0].attempts, 1);
    assert!(
        entries[0].last_error.as_deref().unwrap_or("").contains("451"),
        "{:?}",
        entries[0].last_error
    );

    sink.set_mode(Mode::Accept);
    // Not before the backoff has passed.
    let early = now + SignedDuration::from_secs(30);
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), early)
            .await
            .unwrap()
            .messages_delivered,
        0
    );
    let later = now + SignedDuration::from_secs(61);
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), later)
            .await
            .unwrap()
            .messages_delivered,
        1
    );
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), later)
            .await
            .unwrap()
            .messages_delivered,
        0
    );
    assert_eq!(sink.count(), 1);
    let entry = &app.store.outbox_entries(None, "retry0@", true, 10).await.unwrap()[0];
    assert_eq!(entry.status, OutboxStatus::Sent);
    assert_eq!(entry.attempts, 2);
    assert_eq!(entry.last_error, None);
}

async fn a_refused_message_fails_at_once_and_staff_can_resend_it(backend: Backend) {
    let sink = SmtpSink::start(Mode::Reject).await;
    let app = spawn_with_sink(backend, &sink).await;
    queue(&app, 1, "refused").await;
    let now = Timestamp::now();
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), now)
            .await
            .unwrap()
            .messages_delivered,
        0
    );
    let entry = app
        .store
        .outbox_entries(Some(OutboxStatus::Failed), "", true, 10)
        .await
        .unwrap();
    assert_eq!(entry.len(), 1, "a 5xx answer is not retried");
    assert!(entry[0].last_error.as_deref().unwrap().contains("550"));
    let much_later = now + SignedDuration::from_hours(24);
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), much_later)
            .await
            .unwrap()
            .messages_delivered,
        0
    );

    // Staff fix the cause and resend from the outbox page.
    sink.set_mode(Mode::Accept);
    let cookie = crate::actors::session(&app, crate::actors::ADMIN).await;
    let page = app.page_as(&cookie, "/staff/outbox?status=failed").await;
    assert!(page.contains("refused0@example.org"), "{page}");
    assert!(page.contains("550"), "the error is shown");
    let id = entry[0].id;
    let resend = format!("/staff/outbox/{id}/resend");
    assert_eq!(crate::actors::post_as(&app, Some(&cookie), &resend, &[]).await, 303);
    // Only failed messages can be resent.
    assert_eq!(crate::actors::post_as(&app, Some(&cookie), &resend, &[]).await, 409);
    assert_eq!(
        precinct::jobs::run_once(&app.state.jobs(), much_later)
            .await
            .unwrap()
            .messages_delivered,
        1
    );
    assert_eq!(sink.count(), 1);
    let audit = app.store.audit_for("outbox", &id.to_string()).await.unwrap();
    assert_eq!(audit.len(), 1, "the resend is audited");
}

async fn two_instances_deliver_each_message_once(backend: Backend) {
    let sink = SmtpSink::start(Mode::Accept).await;
    let first = spawn_with_sink(backend, &sink).await;
    let second = spawn_app_with(
        backend,
        Options {
            smtp_url: Some(sink.url()),
            database_url: Some(first.state.config.database_url()),
            ..Default::default()
        },
    )
    .await;
    queue(&first, 120, "many").await;
    let now = Timestamp::now();
    let (jobs_first, jobs_second) = (first.state.jobs(), second.state.jobs());
    let (a, b) = tokio::join!(
        precinct::jobs::run_once(&jobs_first, now),
        precinct::jobs::run_once(&jobs_second, now)
    );
    let delivered = a.unwrap().messages_delivered + b.unwrap().messages_delivered;
    assert_eq!(delivered, 120);
    let received = sink.received();
    assert_eq!(received.len(), 120, "each message exactly once");
    let ids: HashSet<String> = received
        .iter()
        .map(|r| parse(&r.data).message_id().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 120);
    second.stop().await;
}

/// While applications are being filed, delivery yields to them (small claims, a pause
/// after each) and still delivers every message exactly once: the queued ones and the
/// confirmations of the applications filed meanwhile.
async fn delivery_yields_to_a_rush_and_still_delivers_each_message_once(backend: Backend) {
    let sink = SmtpSink::start(Mode::Accept).await;
    let app = spawn_with_sink(backend, &sink).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let sent_before = app.store.outbox_sent_total().await.unwrap();
    queue(&app, 60, "queued").await;
    let activity = app.state.registrar.activity();
    assert_eq!(apply(&app, class, &applicant(0), None).await.0, 201);
    assert!(
        activity.busy_within(Duration::from_secs(60)),
        "a committed batch marks the writer busy"
    );
    let filing = async {
        for n in 1..40 {
            assert_eq!(apply(&app, class, &applicant(n), None).await.0, 201);
        }
    };
    let jobs = app.state.jobs();
    let (round, ()) = tokio::join!(precinct::jobs::run_once(&jobs, Timestamp::now()), filing);
    let mut delivered = round.unwrap().messages_delivered;
    loop {
        let more = precinct::jobs::run_once(&jobs, Timestamp::now()).await.unwrap();
        if more.messages_delivered == 0 {
            break;
        }
        delivered += more.messages_delivered;
    }
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.failed), (0, 0), "nothing left behind");
    let sent = app.store.outbox_sent_total().await.unwrap();
    assert_eq!(delivered as i64, sent - sent_before);
    assert_eq!(
        delivered,
        60 + 40,
        "the queued messages and one confirmation per application"
    );
    let received = sink.received();
    assert_eq!(received.len(), delivered, "each message exactly once");
    let ids: HashSet<String> = received
        .iter()
        .map(|r| parse(&r.data).message_id().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), delivered);
    for i in 0..60 {
        assert_eq!(
            received
                .iter()
                .filter(|r| r.rcpt_to.iter().any(|to| to == &format!("queued{i}@example.org")))
                .count(),
            1,
            "queued{i} got its message once"
        );
    }
    for n in 0..40 {
        assert!(
            received
                .iter()
                .any(|r| r.rcpt_to.iter().any(|to| to == &format!("person{n}@example.org"))),
            "applicant {n} got a confirmation"
        );
    }
}

/// Kills the server (SIGKILL) while it is talking to the mail server about a claimed
/// message, starts it again, and checks the message arrives exactly once.
async fn a_crash_between_claim_and_send_delivers_once_after_restart(backend: Backend) {
    let sink = SmtpSink::start(Mode::Hang).await;
    let db = TestDb::new(backend).await;
    let store = precinct::store::Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.enqueue(
        &OutgoingMessage {
            kind: "class_message",
            recipient: "once@example.org".into(),
            subject: "Exactly once".into(),
            body_text: "Hello".into(),
            ..Default::default()
        },
        Timestamp::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let id = store.outbox_for("once@example.org").await.unwrap()[0].id;

    let serve = || {
        Command::new(env!("CARGO_BIN_EXE_precinct"))
            .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &db.url])
            .env_remove("PRECINCT_DEMO")
            .env("PRECINCT_DATA_DIR", db.data_dir())
            .env("PRECINCT_SMTP_URL", sink.url())
            .env("PRECINCT_JOB_INTERVAL", "1")
            .env("PRECINCT_OUTBOX_LEASE", "6")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut child = serve();
    // The server claims the message and connects; the sink never answers.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while sink.connections() == 0 {
        assert!(std::time::Instant::now() < deadline, "the server never tried to send");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap(); // SIGKILL: no cleanup of any kind.
    child.wait().unwrap();
    let claimed = &store.outbox_entries(None, "once@", true, 1).await.unwrap()[0];
    assert_eq!(claimed.status, OutboxStatus::Pending);
    assert_eq!(claimed.attempts, 1, "claimed once before the crash");
    assert_eq!(sink.count(), 0);

    sink.set_mode(Mode::Accept);
    let mut child = serve();
    let arrived = sink.wait_for(1, Duration::from_secs(30)).await;
    // Give the restarted server a few more rounds to send it again, if it were going to.
    tokio::time::sleep(Duration::from_secs(3)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(arrived, 1);
    let received = sink.received();
    assert_eq!(received.len(), 1, "delivered exactly once");
    assert_eq!(received[0].rcpt_to, ["once@example.org"]);
    let mail = parse(&received[0].data);
    assert!(mail.message_id().unwrap().starts_with(&format!("outbox-{id}@")));
    let sent = &store.outbox_entries(None, "once@", true, 1).await.unwrap()[0];
    assert_eq!(sent.status, OutboxStatus::Sent);
    assert_eq!(
        sent.attempts, 2,
        "one claim before the crash, one after the lease ran out"
    );
    store.close().await;
}

crate::on_both_backends!(
    messages_arrive_over_smtp_as_text_and_html,
    list_mail_carries_an_unsubscribe_link,
    a_deferred_message_is_retried_with_backoff,
    a_refused_message_fails_at_once_and_staff_can_resend_it,
    two_instances_deliver_each_message_once,
    delivery_yields_to_a_rush_and_still_delivers_each_message_once,
    a_crash_between_claim_and_send_delivers_once_after_restart,
);
