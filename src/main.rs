use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = match idlint::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return std::process::ExitCode::from(code);
        }
    };
    std::process::ExitCode::from(idlint::cli::run(cli))
}
