//! The store's tests, in one binary: the store on files and in memory, and the migrations.

mod migrations;
mod store;
