//! The client IP a per-IP limit counts under. One person holds one IPv4 address but a whole IPv6
//! /64 (providers hand out at least that), so IPv6 counts by its /64; an IPv4-mapped IPv6
//! address (`::ffff:203.0.113.7`, as dual-stack servers report IPv4 clients) is that IPv4
//! address. Anything that is not an IP address is refused: a header value or a host name in its
//! place would let a caller choose the key.

use crate::error::{Error, Result};
use std::net::{IpAddr, Ipv6Addr};

/// `203.0.113.7` or `2001:db8:1:2::/64`.
pub fn canonical(input: &str) -> Result<String> {
    let ip: IpAddr = input.trim().parse().map_err(|_| {
        Error::invalid(
            "clientIp must be an IP address (the framework's request.ip, e.g. '203.0.113.7' or '2001:db8::1')",
        )
        .with_details(serde_json::json!({ "field": "clientIp" }))
    })?;
    Ok(match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn ipv4_ipv6_and_mapped() {
        assert_eq!(canonical("203.0.113.7").unwrap(), "203.0.113.7");
        assert_eq!(canonical("::ffff:203.0.113.7").unwrap(), "203.0.113.7");
        assert_eq!(
            canonical("2001:db8:1:2:aaaa:bbbb:cccc:dddd").unwrap(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            canonical("2001:DB8:1:2::99").unwrap(),
            canonical("2001:db8:1:2:ffff::1").unwrap()
        );
        assert_ne!(
            canonical("2001:db8:1:2::1").unwrap(),
            canonical("2001:db8:1:3::1").unwrap()
        );
        assert_eq!(canonical("::1").unwrap(), "::/64");
    }

    #[test]
    fn anything_else_is_invalid_argument() {
        for bad in [
            "",
            "localhost",
            "203.0.113.7, 10.0.0.1",
            "203.0.113.7:443",
            "[::1]",
            "fe80::1%eth0",
            "1.2.3",
        ] {
            let e = canonical(bad).expect_err(bad);
            assert_eq!(e.code, crate::ErrorCode::InvalidArgument, "{bad}");
        }
    }
}
