//! Twilio's request parameters: `application/x-www-form-urlencoded` PascalCase pairs, where
//! a list is the same key repeated (`MediaUrl=a&MediaUrl=b`). The crate-wide `Fields`
//! keeps one value per key, so Twilio reads its forms here.

pub(crate) struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub(crate) fn parse(encoded: &[u8]) -> Form {
        Form {
            pairs: url::form_urlencoded::parse(encoded).into_owned().collect(),
        }
    }

    /// The first value of `name`, as sent (possibly empty).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name` unless it is empty: Twilio treats an empty parameter as
    /// an absent one.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Every non-empty value of a repeated parameter.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_and_empty_values() {
        let f = Form::parse(b"To=%2B15551230000&MediaUrl=a&MediaUrl=b&Body=&From=+1");
        assert_eq!(f.get("To"), Some("+15551230000"));
        assert_eq!(f.all("MediaUrl"), ["a", "b"]);
        assert_eq!(f.get("Body"), Some(""));
        assert_eq!(f.text("Body"), None);
        // An unencoded `+` is a space, as in every form decoder (Twilio's included).
        assert_eq!(f.get("From"), Some(" 1"));
    }
}
