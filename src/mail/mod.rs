//! Mail: intake (parsing what customers send), compose (the messages the
//! desk sends), the outbox's records, and the transport that hands a message
//! to SMTP or sendmail. Below the operations that decide what to send.

pub mod compose;
pub mod intake;
pub mod transport;
