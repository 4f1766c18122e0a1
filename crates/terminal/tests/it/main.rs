//! A property server's terminal endpoint and real terminals on loopback: pairing, TLS pinned
//! to the server's certificate, calls, live changes, revocation and the lent encoder.

mod abuse;
mod link;
mod logs;
