//! The `precinct` command: parses arguments and calls the library.

use clap::{Parser, Subcommand};
use precinct::app::App;
use precinct::config::{Config, LogFormat};
use precinct::demo;
use precinct::store::Store;

#[derive(Parser)]
#[command(
    name = "precinct",
    version,
    about = "Community-policing programs for a police department"
)]
struct Cli {
    /// Log line format.
    #[arg(long, env = "PRECINCT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lottery tools.
    #[command(subcommand)]
    Lottery(LotteryCommand),
    /// Run the web service.
    Serve(Config),
    /// Apply database migrations and exit.
    Migrate {
        /// Database URL (defaults as for `serve`).
        #[arg(long, env = "PRECINCT_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        /// Data directory for the default SQLite database.
        #[arg(long, env = "PRECINCT_DATA_DIR", default_value = "data")]
        data_dir: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum LotteryCommand {
    /// Re-runs a published draw: prints the application ids in drawn order.
    Verify {
        /// The revealed seed (64 hex characters), from the class page.
        #[arg(long)]
        seed: String,
        /// The entries' application ids, comma-separated, from the class page.
        #[arg(long, value_delimiter = ',')]
        ids: Vec<i64>,
        /// The published commitment to check the seed against (optional).
        #[arg(long)]
        hash: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    precinct::telemetry::init(cli.log_format);
    match cli.command {
        Command::Serve(config) => {
            let app = App::build(config).await?;
            match app.demo_seeded() {
                Some(demo::Seeded::Created) => tracing::info!("seeded the Harbor Point demo department"),
                Some(demo::Seeded::AlreadyPresent) => tracing::info!("demo department already present"),
                None => {}
            }
            let addr = app.local_addr();
            println!("Precinct is listening on http://{addr}");
            if app.demo_seeded().is_some() {
                println!(
                    "Demo sign-in: {} / {}  (sample data; do not use in production)",
                    demo::DEMO_ADMIN_EMAIL,
                    demo::DEMO_ADMIN_PASSWORD
                );
            }
            app.run_until_stopped().await?;
            tracing::info!("stopped");
        }
        Command::Lottery(LotteryCommand::Verify { seed, ids, hash }) => {
            let Some(seed) = precinct::domain::lottery::parse_seed(&seed) else {
                anyhow::bail!("the seed must be 64 hexadecimal characters");
            };
            let actual = precinct::domain::lottery::seed_hash(&seed);
            if let Some(expected) = hash {
                anyhow::ensure!(
                    actual.eq_ignore_ascii_case(expected.trim()),
                    "the seed does not match the published commitment (its SHA-256 is {actual})"
                );
                println!("seed matches the commitment {actual}");
            }
            for (rank, id) in precinct::domain::lottery::draw(&seed, &ids).iter().enumerate() {
                println!("{} {id}", rank + 1);
            }
        }
        Command::Migrate { database_url, data_dir } => {
            let mut config = Config::with_database(String::new());
            config.database_url = database_url;
            config.data_dir = data_dir;
            let store = Store::connect(&config.database_url()).await?;
            store.migrate().await?;
            store.close().await;
            println!("migrations applied");
        }
    }
    Ok(())
}
