use std::process::ExitCode;

use clap::Parser;
use flyte_migrate::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(run(cli) as u8)
}
