//! Crash safety: a burst of applications, the server killed with SIGKILL in the middle,
//! restarted. Every application whose 201 reached the client is there, none twice, and
//! the class is not oversold. Several kill points on each backend.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use precinct::demo::{ScenarioClass, scenario_class};
use precinct::store::Store;

use crate::applications::applicant;
use crate::helpers::{Backend, TestDb};
use crate::on_both_backends;

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(db: &TestDb) -> Server {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_precinct"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &db.url])
        .env_remove("PRECINCT_DEMO")
        .env("PRECINCT_DATA_DIR", db.data_dir())
        .env("PRECINCT_RATE_LIMIT", "off")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(address.starts_with("http://"), "{line}");
    Server(child, address)
}

const CAPACITY: i64 = 10;
const BURST: usize = 300;

async fn burst_with_a_kill_after(backend: Backend, kill_after: usize) {
    let db = TestDb::new(backend).await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    precinct::demo::seed(&store, "http://127.0.0.1:8080", jiff::Timestamp::now())
        .await
        .unwrap();
    let class = scenario_class(
        &store,
        &ScenarioClass {
            capacity: CAPACITY,
            ..Default::default()
        },
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    let mut server = start(&db);
    let url = Arc::new(format!("{}/api/v1/classes/{class}/registrations", server.1));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let answered = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..BURST {
        let (client, url, acknowledged, answered) =
            (client.clone(), url.clone(), acknowledged.clone(), answered.clone());
        tasks.spawn(async move {
            // Spread the burst a little so the kill lands in the middle of it.
            tokio::time::sleep(Duration::from_millis((n as u64 % 16) * 5)).await;
            let body = applicant(10_000 + n);
            if let Ok(res) = client.post(url.as_str()).json(&body).send().await
                && res.status().as_u16() == 201
            {
                acknowledged
                    .lock()
                    .unwrap()
                    .push(body["email"].as_str().unwrap().to_string());
                answered.fetch_add(1, Ordering::SeqCst);
            }
        });
    }
    // SIGKILL once `kill_after` answers reached the client: no shutdown of any kind.
    while answered.load(Ordering::SeqCst) < kill_after && !tasks.is_empty() {
        tokio::time::sleep(Duration::from_millis(1)).await;
        if tasks.try_join_next().is_some() {
            continue;
        }
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    while tasks.join_next().await.is_some() {}
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= kill_after,
        "the kill came after {kill_after} answers"
    );

    // Restart: the service comes back on the same database and answers.
    let restarted = start(&db);
    let health = reqwest::get(format!("{}/healthz", restarted.1)).await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let stored: Vec<(String, String)> = store.applications_in_class(class).await.unwrap();
    let emails: Vec<&str> = stored.iter().map(|(e, _)| e.as_str()).collect();
    let unique: HashSet<&str> = emails.iter().copied().collect();
    assert_eq!(unique.len(), emails.len(), "no application stored twice");
    for email in &acknowledged {
        assert!(unique.contains(email.as_str()), "{email} got a 201 and must be stored");
    }
    eprintln!(
        "kill after {kill_after}: {} acknowledged, {} stored",
        acknowledged.len(),
        stored.len()
    );
    let seats = stored.iter().filter(|(_, s)| s == "confirmed").count() as i64;
    assert!(seats <= CAPACITY, "{seats} confirmed for {CAPACITY} seats");
    assert_eq!(
        seats,
        CAPACITY.min(stored.len() as i64),
        "seats go to the first, none lost"
    );
    drop(restarted);
    store.close().await;
}

async fn killed_early_in_the_burst(backend: Backend) {
    burst_with_a_kill_after(backend, 5).await;
}

async fn killed_mid_burst(backend: Backend) {
    burst_with_a_kill_after(backend, 60).await;
}

async fn killed_late_in_the_burst(backend: Backend) {
    burst_with_a_kill_after(backend, 180).await;
}

on_both_backends!(killed_early_in_the_burst, killed_mid_burst, killed_late_in_the_burst);
