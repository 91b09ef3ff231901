//! The command line (clap derive). No rule logic lives here.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::baseline::{self, Baseline};
use crate::check::{self, CheckOptions};
use crate::config::{self, Config, ConfigError};
use crate::diagnostic::Severity;
use crate::report::{self, Format};
use crate::rules;
use crate::source::{FileKind, SourceFile};

#[derive(Debug, Parser)]
#[command(
    name = "idlint",
    version,
    about = "Finds identity misconfiguration in Azure infrastructure-as-code"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Terraform and ARM templates (default path: the current directory)
    Check(CheckArgs),
    /// List the rules
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print a rule's documentation
    Explain {
        /// A rule code (`AZ301`) or name (`privileged-role-at-broad-scope`)
        rule: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    fn severity(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to lint
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1 [default: warning, or the config's `fail_on`]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Only these rules (comma-separated codes or names, or ALL)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,
    /// Not these rules (comma-separated codes or names)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Config file (default: the nearest `.idlint.hcl` upwards)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not read any config file
    #[arg(long)]
    pub no_config: bool,
    /// Extra Terraform variable values, as `terraform plan -var-file` (repeatable)
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// ARM parameter values, as a `*.parameters.json` file (repeatable)
    #[arg(long = "parameters", value_name = "FILE")]
    pub parameter_files: Vec<PathBuf>,
    /// Report only findings whose fingerprint is not in FILE
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE, so later runs with `--baseline FILE` report only new ones
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print nothing but findings (no summary)
    #[arg(long, short)]
    pub quiet: bool,
    /// Worker threads (default: one per core)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => run_check(args),
        Command::Rules { format } => {
            print_stdout(&report::rules_list(matches!(format, ListFormat::Json)));
            0
        }
        Command::Explain { rule } => match rules::find(&rule) {
            Some(meta) if !meta.docs.is_empty() => {
                print_stdout(meta.docs);
                0
            }
            Some(meta) => {
                print_stdout(&format!(
                    "{} {}\n\n{}\n",
                    meta.code, meta.name, meta.summary
                ));
                0
            }
            None => {
                eprintln!("idlint: {}", rules::unknown_rule_message(&rule));
                2
            }
        },
    }
}

fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`idlint rules | head`) is not an error worth a panic.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn run_check(args: CheckArgs) -> u8 {
    crate::isolate::install_hook();
    if let Some(threads) = args.threads {
        // Only fails when a pool exists already, which the binary never builds first.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads as usize)
            .build_global();
    }
    let config = match load_config(&args) {
        Ok(config) => config,
        Err(error) => {
            report_config_error(error);
            return 2;
        }
    };
    let fail_on = match args.fail_on {
        Some(fail_on) => fail_on.severity(),
        None => config.fail_on.unwrap_or(Some(Severity::Warning)),
    };
    let options = CheckOptions {
        config,
        paths: args.paths,
        var_files: args.var_files,
        parameter_files: args.parameter_files,
        select: args.select,
        ignore: args.ignore,
        ..CheckOptions::default()
    };
    let baseline = match args.baseline.as_deref().map(Baseline::read).transpose() {
        Ok(baseline) => baseline,
        Err(message) => {
            eprintln!("idlint: {message}");
            return 2;
        }
    };
    let mut result = match check::check(&options) {
        Ok(result) => result,
        Err(message) => {
            eprintln!("idlint: {message}");
            return 2;
        }
    };
    if !args.quiet {
        for file in result.unscanned_named_files() {
            eprintln!(
                "idlint: {}: not checked: its name is not that of a Terraform file (`.tf`, \
                 `.tf.json`, `.tfvars`) and it is no ARM deployment template",
                file.display
            );
        }
    }
    let written = args.write_baseline.as_deref();
    if let Err(message) = baseline::apply(&mut result, baseline.as_ref(), written, args.quiet) {
        eprintln!("idlint: {message}");
        return 2;
    }
    let color = args.output.is_none() && report::stdout_supports_color();
    let text = report::render(args.format, &result, color, args.quiet);
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("idlint: cannot write {}: {e}", path.display());
                return 2;
            }
        }
        None => print_stdout(&text),
    }
    check::exit_code(&result.findings, fail_on)
}

fn load_config(args: &CheckArgs) -> Result<Config, ConfigError> {
    if args.no_config {
        return Ok(Config::default());
    }
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => std::env::current_dir()
            .ok()
            .and_then(|dir| config::find(&dir)),
    };
    match path {
        Some(path) => config::load(&path),
        None => Ok(Config::default()),
    }
}

fn report_config_error(error: ConfigError) {
    if error.source.is_empty() {
        // Nothing was read: no text to show.
        eprintln!("idlint: {}: {}", error.path.display(), error.message);
        return;
    }
    let title = format!("invalid config: {}", error.message);
    let file = SourceFile::new(error.path, FileKind::Config, error.source, true);
    eprint!("{}", report::render_error(&file, error.span, title));
}
