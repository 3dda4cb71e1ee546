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
    /// Staff API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Staff accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Lottery tools.
    #[command(subcommand)]
    Lottery(LotteryCommand),
    /// Creates an Open311 `api_key` for a civic app and prints only the key.
    Open311Key {
        /// The app's name, shown on the requests it files.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: Db,
    },
    /// Run the web service.
    Serve(Config),
    /// Writes a consistent copy of the (SQLite) database to FILE while the service runs.
    Backup {
        /// The new backup file (never overwritten).
        file: std::path::PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Restores a backup FILE into a new (SQLite) database, then applies newer migrations.
    Restore {
        /// The backup to restore.
        file: std::path::PathBuf,
        #[command(flatten)]
        db: Db,
    },
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

/// Where a command finds the database (defaults as for `serve`).
#[derive(clap::Args)]
struct Db {
    #[arg(long, env = "PRECINCT_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[arg(long, env = "PRECINCT_DATA_DIR", default_value = "data")]
    data_dir: std::path::PathBuf,
}

impl Db {
    fn url(&self) -> String {
        let mut config = Config::with_database(String::new());
        config.database_url = self.database_url.clone();
        config.data_dir = self.data_dir.clone();
        config.database_url()
    }

    async fn open(self) -> anyhow::Result<Store> {
        let mut config = Config::with_database(String::new());
        config.database_url = self.database_url;
        config.data_dir = self.data_dir;
        let store = Store::connect(&config.database_url()).await?;
        store.migrate().await?;
        Ok(store)
    }
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Creates a bearer token for the staff JSON API and prints only the token.
    Create {
        #[arg(long, value_parser = parse_role)]
        role: precinct::domain::Role,
        /// A name to recognise (and revoke) the token by.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: Db,
    },
    /// Revokes every token with this name.
    Revoke {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Creates an administrator and prints a generated password (or uses
    /// PRECINCT_ADMIN_PASSWORD).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        #[command(flatten)]
        db: Db,
    },
}

fn parse_role(s: &str) -> Result<precinct::domain::Role, String> {
    precinct::domain::Role::parse(s).ok_or_else(|| "expected admin, coordinator, officer or counselor".to_string())
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
                println!(
                    "Demo school counselor: {} / {}",
                    demo::DEMO_COUNSELOR_EMAIL,
                    demo::DEMO_ADMIN_PASSWORD
                );
                println!(
                    "Demo DARE instructor (officer): {} / {}",
                    demo::DEMO_OFFICER_EMAIL,
                    demo::DEMO_ADMIN_PASSWORD
                );
            }
            app.run_until_stopped().await?;
            tracing::info!("stopped");
        }
        Command::Token(TokenCommand::Create { role, name, db }) => {
            let store = db.open().await?;
            let token = precinct::auth::tokens::generate();
            store
                .insert_api_token(
                    name.trim(),
                    role,
                    &precinct::auth::tokens::hash(&token),
                    jiff::Timestamp::now(),
                )
                .await?;
            store.close().await;
            println!("{token}");
        }
        Command::Open311Key { name, db } => {
            anyhow::ensure!(!name.trim().is_empty(), "give the app a name");
            let store = db.open().await?;
            let key = precinct::auth::tokens::generate();
            let created = store
                .insert_open311_key(name.trim(), &precinct::auth::tokens::hash(&key), jiff::Timestamp::now())
                .await?;
            store.close().await;
            anyhow::ensure!(created, "an app named {name:?} already has a key");
            println!("{key}");
        }
        Command::Token(TokenCommand::Revoke { name, db }) => {
            let store = db.open().await?;
            let revoked = store.revoke_api_token(name.trim(), jiff::Timestamp::now()).await?;
            store.close().await;
            anyhow::ensure!(revoked, "no active token is named {name:?}");
            println!("revoked");
        }
        Command::Admin(AdminCommand::Create { email, name, db }) => {
            anyhow::ensure!(
                precinct::domain::application::looks_like_email(email.trim()),
                "{email:?} is not an email address"
            );
            let store = db.open().await?;
            let (password, generated) = match std::env::var("PRECINCT_ADMIN_PASSWORD") {
                Ok(p) => match precinct::domain::password::problem(&p, &[email.as_str()]) {
                    None => (p, false),
                    Some(why) => anyhow::bail!("PRECINCT_ADMIN_PASSWORD refused: {why}"),
                },
                Err(_) => (precinct::auth::tokens::generate()[..20].to_string(), true),
            };
            let hash = precinct::auth::password::hash(&password)?;
            let mut tx = store.begin().await?;
            let created = tx
                .insert_staff(
                    &precinct::store::seed::NewStaff {
                        email: &email,
                        full_name: &name,
                        rank: None,
                        badge_number: None,
                        role: precinct::domain::Role::Admin,
                        password_hash: Some(&hash),
                        public_profile: false,
                    },
                    jiff::Timestamp::now(),
                )
                .await;
            match created {
                Ok(_) => tx.commit().await?,
                Err(e) if e.is_unique_violation() => anyhow::bail!("a staff account with {email} already exists"),
                Err(e) => return Err(e.into()),
            }
            store.close().await;
            if generated {
                println!("created administrator {email}; password: {password}");
            } else {
                println!("created administrator {email}");
            }
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
        Command::Backup { file, db } => {
            let store = Store::connect(&db.url()).await?;
            let result = store.backup_to(&file).await;
            store.close().await;
            result?;
            println!("backup written to {}", file.display());
        }
        Command::Restore { file, db } => {
            let url = db.url();
            precinct::store::backup::restore(&file, &url).await?;
            println!("restored {} into {url}", file.display());
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
