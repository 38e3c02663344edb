//! End-to-end tests: the real CLI and HTTP, on SQLite by default and on PostgreSQL when
//! `HOTLINE_TEST_DATABASE_URL` is set.

mod support;

mod accounts;
mod cases;
mod cli;
mod directory;
mod intake;
mod library;
mod locales;
mod outreach;
mod playbooks;
mod security;
