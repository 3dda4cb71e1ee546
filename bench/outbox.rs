//! Outbox throughput: how many queued messages per second the delivery job hands to a
//! real SMTP server on 127.0.0.1 (the test suite's sink, in this process), from claim
//! through composing text and HTML to marking them sent. With `--instances N`, N
//! delivery loops share the queue the way N servers would, and the run checks that every
//! message arrived exactly once.
//!
//! ```sh
//! cargo run --release --example outbox_bench -- --backend sqlite --messages 5000
//! cargo run --release --example outbox_bench -- --backend postgres --messages 5000 --instances 2
//! ```

#[path = "../tests/it/smtp_sink.rs"]
mod smtp_sink;

use std::collections::HashSet;
use std::time::Instant;

use jiff::Timestamp;
use precinct::config::Config;
use precinct::notify::delivery::{Mailer, deliver_pending};
use precinct::store::Store;
use precinct::store::outbox::OutgoingMessage;
use sqlx::{Connection, Executor};

struct Args {
    backend: String,
    messages: usize,
    instances: usize,
    pg_url: String,
}

fn parse_args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        messages: 5000,
        instances: 1,
        pg_url: std::env::var("PRECINCT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--backend" => a.backend = value(),
            "--messages" => a.messages = value().parse().expect("a number"),
            "--instances" => a.instances = value().parse::<usize>().expect("a number").max(1),
            "--postgres-url" => a.pg_url = value(),
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(
        a.backend == "sqlite" || a.backend == "postgres",
        "--backend sqlite|postgres"
    );
    a
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let dir = std::env::temp_dir().join(format!("precinct-outbox-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut pg_database = None;
    let db_url = if args.backend == "sqlite" {
        format!("sqlite://{}", dir.join("bench.db").display())
    } else {
        let name = format!("precinct_outbox_bench_{}", std::process::id());
        let mut c = sqlx::PgConnection::connect(&args.pg_url)
            .await
            .expect("connect to postgres");
        c.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap();
        let base = args.pg_url.rsplit_once('/').map_or(args.pg_url.as_str(), |(p, _)| p);
        pg_database = Some(name.clone());
        format!("{base}/{name}")
    };
    let store = Store::connect(&db_url).await.expect("database");
    store.migrate().await.unwrap();
    precinct::demo::seed(&store, "http://127.0.0.1:8080", Timestamp::now())
        .await
        .unwrap();

    // Messages shaped like real ones: a greeting, a few paragraphs, a link.
    let now = Timestamp::now();
    let messages: Vec<OutgoingMessage> = (0..args.messages)
        .map(|i| OutgoingMessage {
            kind: "class_message",
            recipient: format!("resident{i}@example.org"),
            subject: format!("Application received: Citizen Police Academy: Class {i}"),
            body_text: format!(
                "Hello Resident {i},\n\nThank you for applying to Citizen Police Academy: Class 33.\n\n\
                 A seat is held for you while staff review your application. We will write again with \
                 the decision.\n\nSee your application, withdraw, or answer an offer here (the link works \
                 once and for 7 days):\nhttp://127.0.0.1:8080/my/link/{}\n\nHarbor Point Police Department\n",
                precinct::auth::tokens::generate()
            ),
            ..Default::default()
        })
        .collect();
    for chunk in messages.chunks(500) {
        let mut tx = store.begin().await.unwrap();
        tx.enqueue_many(chunk, now).await.unwrap();
        tx.commit().await.unwrap();
    }

    let sink = smtp_sink::SmtpSink::start(smtp_sink::Mode::Accept).await;
    let mut config = Config::with_database(&db_url);
    config.smtp_url = Some(sink.url());
    config.data_dir = dir.join("data");
    let mailer = Mailer::from_config(&config, "http://127.0.0.1:8080").unwrap();

    let start = Instant::now();
    let mut loops = tokio::task::JoinSet::new();
    for _ in 0..args.instances {
        let store = store.clone();
        let mailer = mailer.clone();
        loops.spawn(async move {
            deliver_pending(&store, &mailer, Timestamp::now(), &|| false)
                .await
                .unwrap()
        });
    }
    let mut delivered = 0;
    while let Some(n) = loops.join_next().await {
        delivered += n.unwrap();
    }
    let elapsed = start.elapsed();

    let received = sink.received();
    let ids: HashSet<String> = received
        .iter()
        .filter_map(|r| {
            let text = String::from_utf8_lossy(&r.data);
            text.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .map(|l| l.to_string())
        })
        .collect();
    let counts = store.outbox_counts().await.unwrap();
    let sent = store.outbox_sent_total().await.unwrap();
    println!(
        "backend {}: {} messages, {} delivery loop(s), {:.2} s, {:.0} messages/s",
        args.backend,
        args.messages,
        args.instances,
        elapsed.as_secs_f64(),
        delivered as f64 / elapsed.as_secs_f64()
    );
    println!(
        "received {} (unique Message-IDs {}), outbox: {} sent, {} pending, {} failed",
        received.len(),
        ids.len(),
        sent,
        counts.pending,
        counts.failed
    );
    store.close().await;
    drop(sink);
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(name) = pg_database {
        let mut c = sqlx::PgConnection::connect(&args.pg_url)
            .await
            .expect("connect to postgres");
        let _ = c
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .await;
    }
    let exact = delivered == args.messages && received.len() == args.messages && ids.len() == args.messages;
    if !exact {
        eprintln!("FAILED: every message must arrive exactly once");
        std::process::exit(1);
    }
}
