//! Who a request comes from, as rate limiting and the log see it.

use axum::http::HeaderMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The client a request comes from: the peer, or behind a reverse proxy on
/// this host (a loopback peer), the last address of the last
/// `X-Forwarded-For` line.
/// An IPv6 client counts as its /64 network: one host holds a whole /64, and
/// rotating addresses inside it must not buy more sign-in requests.
pub(crate) fn client_of(peer: SocketAddr, headers: &HeaderMap) -> String {
    if peer.ip().is_loopback() {
        // The last address of the last line: a proxy appends its own line
        // (or its own address to the last line), and what comes before it
        // is the client's to write.
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(client) = forwarded {
            return client.parse().map_or(client, network_of);
        }
    }
    network_of(peer.ip())
}

/// An IPv4 address as it is; an IPv6 one as its /64 (`2001:db8:1:2::/64`).
fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => format!("{}/64", Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}
