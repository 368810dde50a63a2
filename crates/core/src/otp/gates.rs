//! The counting gates a send passes before the number's own cooldown and cap, in this order:
//! the client IP, the number prefix, the budget (global and per region). Each gate is one
//! all-or-none take in the send windows; its refusal has a reason of its own.
//! Rotating numbers defeat a per-number cap, so the later gates count what numbers share:
//! the caller, the block of numbers, the whole service.

use super::windows::WindowSlot;
use crate::phone::Phone;
use std::collections::BTreeMap;

/// Global and per-region caps on the codes sent per rolling hour (off when empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SendBudget {
    /// Codes per hour across every number (and every replica sharing a Redis store).
    pub per_hour: Option<u32>,
    /// Codes per hour to numbers of a region (ISO, capitals).
    pub per_region: BTreeMap<String, u32>,
}

/// Numbers that differ only in their last digits count together.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrefixLimit {
    pub ignore_last_digits: u8,
    pub per_hour: u32,
}

impl Default for PrefixLimit {
    /// A block of 1,000 numbers, 20 codes per hour: a real app's users rarely share a block
    /// more than that within an hour; a pumping run through a premium range does.
    fn default() -> Self {
        PrefixLimit {
            ignore_last_digits: 3,
            per_hour: 20,
        }
    }
}

/// Codes per hour asked for by one client IP (IPv6: its /64).
pub const DEFAULT_CLIENT_IP_PER_HOUR: u32 = 10;

/// Why a gate refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    ClientIp,
    PrefixVelocity,
    GlobalBudget,
    RegionBudget,
}

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::ClientIp => "client_ip",
            Refusal::PrefixVelocity => "prefix_velocity",
            Refusal::GlobalBudget => "global_budget",
            Refusal::RegionBudget => "region_budget",
        }
    }

    pub fn is_budget(self) -> bool {
        matches!(self, Refusal::GlobalBudget | Refusal::RegionBudget)
    }

    pub fn message(self) -> &'static str {
        match self {
            Refusal::ClientIp => "too many codes were asked for from this address in the last hour",
            Refusal::PrefixVelocity => {
                "too many codes went to numbers of this block in the last hour"
            }
            Refusal::GlobalBudget => "the hourly budget of OTP codes is used up",
            Refusal::RegionBudget => "the hourly budget of OTP codes for this region is used up",
        }
    }
}

/// One gate: its windows, and the refusal of each (the budget gate has two).
pub struct Gate {
    pub slots: Vec<WindowSlot>,
    pub refusals: Vec<Refusal>,
}

/// The gates of a send to `phone` asked for by `client_ip` (canonical), in order; a gate with no
/// window is left out.
pub fn gates(
    phone: &Phone,
    client_ip: Option<&str>,
    ip_per_hour: Option<u32>,
    prefix: Option<PrefixLimit>,
    budget: &SendBudget,
) -> Vec<Gate> {
    let mut out = Vec::with_capacity(3);
    if let (Some(ip), Some(limit)) = (client_ip, ip_per_hour) {
        out.push(Gate {
            slots: vec![WindowSlot {
                window: format!("ip:{ip}"),
                limit,
            }],
            refusals: vec![Refusal::ClientIp],
        });
    }
    if let Some(p) = prefix {
        out.push(Gate {
            slots: vec![WindowSlot {
                window: format!("prefix:{}", block(&phone.e164, p.ignore_last_digits)),
                limit: p.per_hour,
            }],
            refusals: vec![Refusal::PrefixVelocity],
        });
    }
    let mut budget_gate = Gate {
        slots: Vec::new(),
        refusals: Vec::new(),
    };
    if let Some(limit) = budget.per_hour {
        budget_gate.slots.push(WindowSlot {
            window: "budget:global".into(),
            limit,
        });
        budget_gate.refusals.push(Refusal::GlobalBudget);
    }
    let region = phone.country.as_deref().unwrap_or("ZZ");
    if let Some(&limit) = budget.per_region.get(region) {
        budget_gate.slots.push(WindowSlot {
            window: format!("budget:region:{region}"),
            limit,
        });
        budget_gate.refusals.push(Refusal::RegionBudget);
    }
    if !budget_gate.slots.is_empty() {
        out.push(budget_gate);
    }
    out
}

/// `+998901234567` without its last `n` digits: `+998901234`.
fn block(e164: &str, n: u8) -> &str {
    &e164[..e164.len().saturating_sub(n as usize).max(1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uz(e164: &str) -> Phone {
        crate::phone::normalize(e164, "UZ").unwrap()
    }

    #[test]
    fn numbers_of_one_block_share_the_prefix_window() {
        let p = Some(PrefixLimit::default());
        let none = SendBudget::default();
        let a = gates(&uz("+998901234001"), None, None, p, &none);
        let b = gates(&uz("+998901234999"), None, None, p, &none);
        let c = gates(&uz("+998901235000"), None, None, p, &none);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].slots[0].window, "prefix:+998901234");
        assert_eq!(a[0].slots, b[0].slots);
        assert_ne!(a[0].slots, c[0].slots);
    }

    #[test]
    fn order_ip_prefix_budget_and_the_budget_gate_holds_global_and_region() {
        let budget = SendBudget {
            per_hour: Some(100),
            per_region: [("UZ".to_string(), 40), ("KZ".to_string(), 5)].into(),
        };
        let g = gates(
            &uz("+998901234567"),
            Some("203.0.113.7"),
            Some(10),
            Some(PrefixLimit::default()),
            &budget,
        );
        let reasons: Vec<_> = g.iter().map(|g| g.refusals.clone()).collect();
        assert_eq!(
            reasons,
            [
                vec![Refusal::ClientIp],
                vec![Refusal::PrefixVelocity],
                vec![Refusal::GlobalBudget, Refusal::RegionBudget]
            ]
        );
        assert_eq!(g[0].slots[0].window, "ip:203.0.113.7");
        assert_eq!(g[2].slots[1].window, "budget:region:UZ");
        assert_eq!(g[2].slots[1].limit, 40);
        // No IP given, nothing for the region: only what applies.
        let g = gates(&uz("+77011234567"), None, Some(10), None, &budget);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].slots.len(), 2);
        assert_eq!(g[0].slots[1].window, "budget:region:KZ");
    }
}
