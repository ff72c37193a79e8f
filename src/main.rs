fn main() -> std::process::ExitCode {
    zaizao::cli::main()
}
