//! Load harness (see bench/README.md).
//!
//! Starts the real `precinct` server (release build) on a fresh database with the demo
//! department, opens a class of 30 seats and, with `--preload N`, stores N applications
//! first. Intake mode (the default) fires a burst of unique applications at the JSON API
//! at a chosen concurrency and reports throughput, latency percentiles, outcomes and the
//! overselling and loss checks, beside the database's own durable commit rate measured in
//! the same run. Page mode loads each public page and JSON read with wrk and compares it
//! with nginx serving the same bytes.

use std::process::{Child, Command, Stdio};
use std::time::Instant;

use jiff::Timestamp;
use precinct::demo::{ScenarioClass, scenario_class};
use precinct::store::Store;
use sqlx::{Connection, Executor};

mod intake;
mod pages;
mod preload;

struct Args {
    backend: String,
    applications: usize,
    concurrency: usize,
    capacity: i64,
    server_bin: String,
    pg_url: String,
    commits: usize,
    mode: String,
    preload: i64,
    seconds: u64,
    /// `wrk` (a burst of `--seconds`) or `in-process` (exactly `--applications`).
    client: String,
    /// Leave the database in place for a closer look (its URL is printed).
    keep: bool,
}

fn parse_args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        applications: 5000,
        concurrency: 100,
        capacity: 30,
        server_bin: "target/release/precinct".into(),
        pg_url: std::env::var("PRECINCT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into()),
        commits: 3000,
        mode: "intake".into(),
        preload: 0,
        seconds: 0,
        client: "wrk".into(),
        keep: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--backend" => a.backend = value(),
            "--applications" => a.applications = value().parse().expect("a number"),
            "--concurrency" => a.concurrency = value().parse().expect("a number"),
            "--capacity" => a.capacity = value().parse().expect("a number"),
            "--server-bin" => a.server_bin = value(),
            "--postgres-url" => a.pg_url = value(),
            "--commits" => a.commits = value().parse().expect("a number"),
            "--mode" => a.mode = value(),
            "--preload" => a.preload = value().parse().expect("a number"),
            "--seconds" => a.seconds = value().parse().expect("a number"),
            "--client" => a.client = value(),
            "--keep" => a.keep = true,
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(
        a.backend == "sqlite" || a.backend == "postgres",
        "--backend sqlite|postgres"
    );
    assert!(a.mode == "intake" || a.mode == "pages", "--mode intake|pages");
    assert!(a.client == "wrk" || a.client == "in-process", "--client wrk|in-process");
    if a.seconds == 0 {
        // Pages: per URL; intake: the burst the goals are stated for.
        a.seconds = if a.mode == "pages" { 5 } else { 10 };
    }
    a
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Durable single-row commits per second on `url`, with the service's settings.
async fn commit_rate(url: &str, n: usize) -> f64 {
    if url.starts_with("sqlite:") {
        let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().expect("sqlite url");
        let opts = opts
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
            .create_if_missing(true);
        let mut c = sqlx::SqliteConnection::connect_with(&opts).await.expect("connect");
        c.execute("CREATE TABLE IF NOT EXISTS bench_commits (id INTEGER PRIMARY KEY, payload TEXT)")
            .await
            .unwrap();
        let start = Instant::now();
        for i in 0..n {
            let mut tx = c.begin().await.unwrap();
            sqlx::query("INSERT INTO bench_commits (payload) VALUES ($1)")
                .bind(i.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        n as f64 / start.elapsed().as_secs_f64()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        c.execute("CREATE TABLE IF NOT EXISTS bench_commits (id BIGSERIAL PRIMARY KEY, payload TEXT)")
            .await
            .unwrap();
        let start = Instant::now();
        for i in 0..n {
            let mut tx = c.begin().await.unwrap();
            sqlx::query("INSERT INTO bench_commits (payload) VALUES ($1)")
                .bind(i.to_string())
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        n as f64 / start.elapsed().as_secs_f64()
    }
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let dir = std::env::temp_dir().join(format!("precinct-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (db_url, pg_cleanup) = if args.backend == "sqlite" {
        (format!("sqlite://{}", dir.join("bench.db").display()), None)
    } else {
        let name = format!("precinct_bench_{}", std::process::id());
        let mut c = sqlx::PgConnection::connect(&args.pg_url)
            .await
            .expect("connect to postgres");
        c.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap();
        let base = args.pg_url.rsplit_once('/').map_or(args.pg_url.as_str(), |(p, _)| p);
        (format!("{base}/{name}"), Some(name))
    };

    let store = Store::connect(&db_url).await.expect("database");
    store.migrate().await.unwrap();
    precinct::demo::seed(&store, "http://127.0.0.1:8080", Timestamp::now())
        .await
        .unwrap();
    let spec = ScenarioClass {
        capacity: args.capacity,
        ..Default::default()
    };
    let class = scenario_class(&store, &spec, Timestamp::now()).await.unwrap();
    let preloaded = preload::preload(&db_url, class.get(), args.capacity, args.preload).await;

    let mut child = Command::new(&args.server_bin)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            &db_url,
            "--data-dir",
        ])
        .arg(dir.join("data"))
        .env("PRECINCT_RATE_LIMIT", "off")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {} (run `cargo build --release` first): {e}", args.server_bin));
    let stdout = child.stdout.take().unwrap();
    let server_pid = child.id();
    let server = Server(child);
    let address = {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).unwrap();
        line.trim().rsplit(' ').next().unwrap().to_string()
    };

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .unwrap();
    if args.mode == "pages" {
        let slug = preload::program_slug(&db_url, class.get()).await;
        let paths = [
            "/".to_string(),
            "/programs".to_string(),
            format!("/programs/{slug}"),
            format!("/classes/{class}"),
            "/api/v1/programs".to_string(),
            format!("/api/v1/programs/{slug}"),
            "/api/v1/classes".to_string(),
            format!("/api/v1/classes/{class}"),
            "/feeds/news.atom".to_string(),
        ];
        let failed = run_pages(&args, &address, &paths, &client, &dir, preloaded.total, server_pid).await;
        drop(server);
        store.close().await;
        cleanup(&args, pg_cleanup, &dir).await;
        if failed {
            std::process::exit(1);
        }
        return;
    }
    let url = format!("{address}/api/v1/classes/{class}/registrations");
    // Warm up connections and code paths on another class, outside the measurement.
    let warm = scenario_class(&store, &spec, Timestamp::now()).await.unwrap();
    for n in 0..args.concurrency.min(50) {
        let _ = client
            .post(format!("{address}/api/v1/classes/{warm}/registrations"))
            .json(&intake::applicant(1_000_000 + n))
            .send()
            .await;
    }

    let run = if args.client == "wrk" {
        intake::with_wrk(&url, args.seconds, args.concurrency, &dir)
    } else {
        intake::in_process(&client, &url, args.applications, args.concurrency).await
    };
    let rss = pages::peak_rss_mb(server_pid);
    drop(server);

    let counts = store.status_counts(class).await.unwrap();
    let stored_confirmed = counts.iter().find(|(s, _)| s == "confirmed").map_or(0, |(_, n)| *n);
    let stored_total: i64 = counts.iter().map(|(_, n)| n).sum();
    store.close().await;

    let commit_url = if args.backend == "sqlite" {
        format!("sqlite://{}", dir.join("commits.db").display())
    } else {
        db_url.clone()
    };
    let commits = commit_rate(&commit_url, args.commits).await;

    let rate = run.created as f64 / run.elapsed.as_secs_f64();
    println!("backend            {}", args.backend);
    if args.client == "wrk" {
        println!(
            "load generator     wrk, {} s at concurrency {}",
            args.seconds, args.concurrency
        );
    } else {
        println!(
            "load generator     in-process, {} applications at concurrency {}",
            args.applications, args.concurrency
        );
    }
    println!("elapsed            {:.2} s", run.elapsed.as_secs_f64());
    println!("throughput         {rate:.0} applications/s");
    println!(
        "latency            p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        run.p50_ms, run.p90_ms, run.p99_ms, run.max_ms
    );
    println!(
        "answers            {} created, {} refused, {} confirmed",
        run.created, run.refused, run.confirmed
    );
    println!(
        "stored             {stored_total} applications, {stored_confirmed} confirmed (capacity {})",
        args.capacity
    );
    println!(
        "preloaded          {} applications, {} of them in this class",
        preloaded.total, preloaded.in_target
    );
    println!(
        "server peak RSS    {}",
        rss.map_or("unknown".into(), |mb| format!("{mb:.0} MB"))
    );
    println!("db commit rate     {commits:.0} single-row durable commits/s");
    println!(
        "ratio              {:.2}x the database's one-commit-per-application rate",
        rate / commits
    );
    let oversold = stored_confirmed > args.capacity;
    // wrk stops with requests in flight: those may be stored unanswered, never the reverse.
    let acknowledged = run.created as i64 + preloaded.in_target;
    let lost = if args.client == "wrk" {
        stored_total < acknowledged
    } else {
        stored_total != acknowledged
    };
    if stored_total > acknowledged {
        println!(
            "in flight at stop  {} stored without an answer counted",
            stored_total - acknowledged
        );
    }
    println!("oversold           {}", if oversold { "YES" } else { "no" });
    println!("lost               {}", if lost { "YES" } else { "no" });

    cleanup(&args, pg_cleanup, &dir).await;
    if oversold || lost || run.refused > 0 {
        std::process::exit(1);
    }
}

async fn cleanup(args: &Args, pg_database: Option<String>, dir: &std::path::Path) {
    if args.keep {
        println!(
            "database kept in {}{}",
            dir.display(),
            pg_database.map(|n| format!(" and {n}")).unwrap_or_default()
        );
        return;
    }
    if let Some(name) = pg_database {
        let mut c = sqlx::PgConnection::connect(&args.pg_url).await.unwrap();
        let _ = c
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Page mode: each path through the service, then its bytes through nginx. Returns whether
/// any request failed.
async fn run_pages(
    args: &Args,
    address: &str,
    paths: &[String],
    client: &reqwest::Client,
    dir: &std::path::Path,
    preloaded: i64,
    server_pid: u32,
) -> bool {
    let root = dir.join("www");
    std::fs::create_dir_all(&root).unwrap();
    let mut bodies = Vec::new();
    for (n, path) in paths.iter().enumerate() {
        let res = client.get(format!("{address}{path}")).send().await.expect("a page");
        assert!(res.status().is_success(), "{path} answered {}", res.status());
        let bytes = res.bytes().await.unwrap();
        std::fs::write(root.join(format!("page{n}")), &bytes).unwrap();
        bodies.push(bytes.len());
    }
    let nginx = pages::Nginx::start(dir, &root);
    println!(
        "backend {}, {preloaded} applications stored, concurrency {}, {} s per URL",
        args.backend, args.concurrency, args.seconds
    );
    println!(
        "| path | bytes | service req/s | p50 | p99 | nginx req/s | share of nginx |\n|---|---|---|---|---|---|---|"
    );
    let mut failed = false;
    for (n, path) in paths.iter().enumerate() {
        let ours = pages::wrk(&format!("{address}{path}"), args.concurrency, args.seconds);
        let theirs = pages::wrk(
            &format!("http://127.0.0.1:{}/page{n}", nginx.port),
            args.concurrency,
            args.seconds,
        );
        failed |= ours.failures > 0 || ours.rate == 0.0;
        println!(
            "| `{path}` | {} | {:.0} | {:.2} ms | {:.2} ms | {:.0} | {:.0} % |",
            bodies[n],
            ours.rate,
            ours.p50_ms,
            ours.p99_ms,
            theirs.rate,
            100.0 * ours.rate / theirs.rate.max(1.0),
        );
        if ours.failures > 0 {
            println!("  {} failed requests", ours.failures);
        }
    }
    if let Some(mb) = pages::peak_rss_mb(server_pid) {
        println!("server peak RSS {mb:.0} MB");
    }
    failed
}
