use std::process::ExitCode;

/// The allocator ruff uses too: the analysis allocates many small, short-lived objects.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use flyte_migrate::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(run(cli) as u8)
}
