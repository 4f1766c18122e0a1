//! The API's tests, in one binary: the handlers driven through the router, and the
//! `frontdesk` command.

mod cli;
mod handlers;
