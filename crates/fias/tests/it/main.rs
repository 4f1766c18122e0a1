mod framing;
mod keys;
mod link;
mod record;
mod requests;
mod text;
