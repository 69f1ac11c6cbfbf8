//! Mail: intake (parsing what customers send), compose (the messages the
//! desk sends) and the transport that hands a message to SMTP or sendmail.
//! Below the operations that decide what to send; the outbox's records are
//! the store's (`store::outbox`).

pub mod chat;
pub mod compose;
pub mod intake;
pub mod transport;
pub mod webhook;
