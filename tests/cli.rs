fn main() -> std::process::ExitCode {
    hotline::run()
}
