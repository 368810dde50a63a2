//! The providers' status vocabularies reduced to `pending` / `delivered` / `failed`.

use super::types::DeliveryStatus;

/// Eskiz message-level (`DELIVERED`, `REJECTED`…), per-part SMPP (`DELIVRD`, `UNDELIV`…) and
/// send (`waiting`) statuses, case-insensitively.
pub fn eskiz(raw: &str) -> DeliveryStatus {
    match raw.trim().to_ascii_uppercase().as_str() {
        "DELIVRD" | "DELIVERED" | "DELIVER" => DeliveryStatus::Delivered,
        "UNDELIV" | "UNDELIVERABLE" | "EXPIRED" | "REJECTD" | "REJECTED" | "DELETED" => {
            DeliveryStatus::Failed
        }
        _ => DeliveryStatus::Pending,
    }
}

/// Twilio `message_enum_status`.
pub fn twilio(raw: &str) -> DeliveryStatus {
    match raw.trim().to_ascii_lowercase().as_str() {
        "delivered" | "read" => DeliveryStatus::Delivered,
        "failed" | "undelivered" | "canceled" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    }
}

/// Play Mobile's report statuses. The vocabulary is agreed per account and unconfirmed, so
/// only the known final words end a message; anything else (`transmitted`, `accepted`,
/// `enroute`, an unknown word) stays pending. `-`/`_`/space and case are ignored.
pub fn playmobile(raw: &str) -> DeliveryStatus {
    let word: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    match word.as_str() {
        "delivered" | "delivrd" => DeliveryStatus::Delivered,
        "not_delivered" | "undelivered" | "undeliverable" | "undeliv" | "failed" | "rejected"
        | "rejectd" | "deleted" | "expired" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeliveryStatus::*;

    #[test]
    fn eskiz_vocabularies() {
        for s in ["DELIVRD", "DELIVERED", "delivered", "DELIVER"] {
            assert_eq!(eskiz(s), Delivered, "{s}");
        }
        for s in [
            "UNDELIV",
            "UNDELIVERABLE",
            "EXPIRED",
            "REJECTD",
            "REJECTED",
            "DELETED",
        ] {
            assert_eq!(eskiz(s), Failed, "{s}");
        }
        for s in [
            "NEW",
            "STORED",
            "ACCEPTED",
            "ENROUTE",
            "UNKNOWN",
            "PARTDELIVERED",
            "waiting",
            "Waiting",
            "TRANSMTD",
        ] {
            assert_eq!(eskiz(s), Pending, "{s}");
        }
    }

    #[test]
    fn playmobile_vocabulary() {
        for s in ["delivered", "DELIVERED", " delivrd "] {
            assert_eq!(playmobile(s), Delivered, "{s}");
        }
        for s in [
            "not_delivered",
            "not-delivered",
            "Not Delivered",
            "undeliverable",
            "undelivered",
            "failed",
            "rejected",
            "deleted",
            "expired",
        ] {
            assert_eq!(playmobile(s), Failed, "{s}");
        }
        for s in [
            "transmitted",
            "accepted",
            "enroute",
            "queued",
            "",
            "something-new",
        ] {
            assert_eq!(playmobile(s), Pending, "{s}");
        }
    }

    #[test]
    fn twilio_vocabulary() {
        assert_eq!(twilio("delivered"), Delivered);
        assert_eq!(twilio("read"), Delivered);
        for s in ["failed", "undelivered", "canceled"] {
            assert_eq!(twilio(s), Failed);
        }
        for s in [
            "queued",
            "sending",
            "sent",
            "accepted",
            "scheduled",
            "receiving",
            "received",
            "partially_delivered",
        ] {
            assert_eq!(twilio(s), Pending, "{s}");
        }
    }
}
