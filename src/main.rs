//! The `tickets` binary: parse, run, exit with the documented code.

fn main() {
    std::process::exit(tickets::cli::main().code());
}
