//! The API's tests, in one binary: the handlers driven through the router.

mod handlers;
