//! Inline suppression comments: `# idlint:ignore AZ301,AZ203 -- reason` (or `//`) on the line
//! above a block or attribute.

use crate::span::Span;

/// A suppression comment and the node it covers.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// The comment itself.
    pub comment: Span,
    /// Rule codes or names as written.
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// The block or attribute below the comment.
    pub target: Span,
}

/// Reads `idlint:ignore RULES -- reason` from one comment's text (with its `#` or `//`).
/// Returns `None` when the comment is not a suppression.
pub fn parse_comment(comment: &str) -> Option<(Vec<String>, Option<String>)> {
    let body = comment.trim();
    let body = body
        .strip_prefix('#')
        .or_else(|| body.strip_prefix("//"))?
        .trim_start();
    let rest = body.strip_prefix("idlint:ignore")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (rules, reason) = match rest.split_once("--") {
        Some((rules, reason)) => (rules, Some(reason.trim().to_string())),
        None => (rest, None),
    };
    let rules = rules
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect();
    Some((rules, reason.filter(|r| !r.is_empty())))
}

#[cfg(test)]
mod tests {
    use super::parse_comment;

    #[test]
    fn reads_rules_and_reason() {
        let (rules, reason) = parse_comment("# idlint:ignore AZ301, AZ203 -- break-glass").unwrap();
        assert_eq!(rules, ["AZ301", "AZ203"]);
        assert_eq!(reason.as_deref(), Some("break-glass"));
        let (rules, reason) =
            parse_comment("// idlint:ignore privileged-role-at-broad-scope").unwrap();
        assert_eq!(rules, ["privileged-role-at-broad-scope"]);
        assert_eq!(reason, None);
        assert!(parse_comment("# just a comment").is_none());
        assert!(parse_comment("# idlint:ignored AZ301").is_none());
    }
}
