// The locale files are compiled in by `rust_i18n::i18n!`; rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=../locales");
}
