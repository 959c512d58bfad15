//! `tillit`: the one binary. `tillit serve` starts the web server on the embedded SQLite
//! database in `./tillit-data` (or PostgreSQL with `TILLIT_DATABASE_URL=postgres://…`).

mod commands;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "tillit",
    version,
    about = "Tillit – information security management for municipalities"
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DbArgs {
    /// Data folder of the embedded SQLite database.
    #[arg(
        long,
        global = true,
        env = "TILLIT_DATA",
        default_value = "./tillit-data"
    )]
    data: PathBuf,
    /// A PostgreSQL URL (postgres://user:password@host/db) instead of the embedded database.
    #[arg(
        long,
        global = true,
        env = "TILLIT_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the web server (creates the schema and, on first start, the admin account).
    Serve {
        #[arg(long, env = "TILLIT_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The first administrator's password; generated and printed once when not set.
        #[arg(long, env = "TILLIT_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: Option<String>,
        /// The organisation's name, used on first start.
        #[arg(long, env = "TILLIT_ORGANISATION", default_value = "Organisationen")]
        organisation: String,
        /// Mark cookies Secure; set when Tillit is served over HTTPS (it should be).
        #[arg(long, env = "TILLIT_SECURE_COOKIES", default_value_t = false)]
        secure_cookies: bool,
        /// Session length in hours.
        #[arg(long, env = "TILLIT_SESSION_HOURS", default_value_t = 12)]
        session_hours: i64,
        #[command(flatten)]
        oidc: Box<OidcArgs>,
    },
    /// Run the database migrations and exit.
    Migrate,
    /// Manage accounts from the command line.
    #[command(subcommand)]
    User(UserCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a consistent copy of the embedded database while it runs.
    Backup {
        /// The file to write (must not exist).
        file: PathBuf,
    },
    /// Bring a backup back into the data folder (with the server stopped).
    Restore {
        file: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
}

/// Sign-in with an organisation account through OpenID Connect (e.g. Entra ID); on when an
/// issuer is set. The provider is contacted at the first sign-in, not at start-up.
#[derive(Debug, Args)]
struct OidcArgs {
    /// The issuer, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0
    #[arg(long, env = "TILLIT_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// The application (client) id registered at the provider.
    #[arg(long, env = "TILLIT_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// The client secret (set it in the environment rather than on the command line).
    #[arg(long, env = "TILLIT_OIDC_CLIENT_SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// Tillit's callback as registered at the provider, e.g. https://tillit.stad.se/auth/oidc/callback
    #[arg(long, env = "TILLIT_OIDC_REDIRECT_URL")]
    oidc_redirect_url: Option<String>,
    /// The ID token claim listing the person's roles or groups.
    #[arg(long, env = "TILLIT_OIDC_ROLES_CLAIM", default_value = "roles")]
    oidc_roles_claim: String,
    /// Claim values to Tillit roles: `value=unit:role,…`, the unit `root` (the organisation) or
    /// a unit id, e.g. `Tillit.Admin=root:admin,Tillit.Reader=root:reader`. Sign-in grants and
    /// revokes these (unit, role) pairs only; roles given by hand elsewhere are left alone.
    #[arg(long, env = "TILLIT_OIDC_ROLE_MAP", default_value = "")]
    oidc_role_map: String,
    /// The sign-in button's text.
    #[arg(long, env = "TILLIT_OIDC_LABEL")]
    oidc_label: Option<String>,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// List the accounts.
    List,
    /// Set a new password for an account (printed), lifting any lock.
    ResetPassword { username: String },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain; fails if a record was changed or removed.
    Verify,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tillit: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
