//! Predicates shared by the secret rules: what a credential looks like, and which setting or
//! argument names carry one. Values with `\0` stand for unknown parts of a template.

use std::sync::LazyLock;

use memchr::memmem;

use crate::model::{Model, Ref, Value, ValueKind};

/// Connection-string keys that carry a credential, in the order they are tried. Each ends in
/// `=` and holds no other `=`, so an occurrence is found from the `=` that ends it.
const CONNECTION_STRING_KEYS: [(&str, &str); 5] = [
    ("accountkey=", "a storage account key"),
    ("sharedaccesskey=", "a shared access key"),
    ("password=", "a password in a connection string"),
    ("pwd=", "a password in a connection string"),
    ("sharedaccesssignature=", "a shared access signature"),
];

static BEGIN_MARKER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("-----BEGIN"));
static PRIVATE_KEY_MARKER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new("PRIVATE KEY"));

/// Why `text` is a credential by its shape, or `None`. Unknown parts (`\0`) never count as the
/// secret itself: `AccountKey=\0` is not a literal credential.
pub fn credential_shape(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    // Connection-string keys and the SAS `sig=` all end in `=`: without one, neither applies.
    if memchr::memchr(b'=', bytes).is_some() {
        // The first occurrence of each key at a boundary.
        let mut first = [None::<usize>; CONNECTION_STRING_KEYS.len()];
        let mut query_sig = None;
        let mut amp_sig = None;
        for eq in memchr::memchr_iter(b'=', bytes) {
            let end = eq + 1;
            for (slot, (key, _)) in first.iter_mut().zip(CONNECTION_STRING_KEYS) {
                if slot.is_some() || end < key.len() {
                    continue;
                }
                let start = end - key.len();
                let at_boundary =
                    start == 0 || matches!(bytes[start - 1], b';' | b',' | b' ' | b'"' | b'\'');
                if at_boundary && bytes[start..end].eq_ignore_ascii_case(key.as_bytes()) {
                    *slot = Some(start);
                }
            }
            if end >= 5 && bytes[end - 4..end].eq_ignore_ascii_case(b"sig=") {
                match bytes[end - 5] {
                    b'?' if query_sig.is_none() => query_sig = Some(end - 5),
                    b'&' if amp_sig.is_none() => amp_sig = Some(end - 5),
                    _ => {}
                }
            }
        }
        for (start, (key, reason)) in first.iter().zip(CONNECTION_STRING_KEYS) {
            if let Some(start) = *start
                && is_literal_secret(connection_string_value(text, start + key.len(), start))
            {
                return Some(reason);
            }
        }
        if let Some(i) = query_sig.or(amp_sig)
            && is_literal_secret(query_value(text, i + "?sig=".len()))
        {
            return Some("a SAS token signature");
        }
    }
    if BEGIN_MARKER.find(bytes).is_some() && PRIVATE_KEY_MARKER.find(bytes).is_some() {
        return Some("a private key");
    }
    if let Some(reason) = token_shape(text) {
        return Some(reason);
    }
    if let Some(userinfo) = url_password(text)
        && is_literal_secret(userinfo)
    {
        return Some("a password in a URL");
    }
    None
}

/// The value of a `k=v;k=v` connection-string entry that starts at `value_start`; an entry after
/// a comma ends at the next one, as in Redis's `host:6380,password=...,ssl=True`.
fn connection_string_value(text: &str, value_start: usize, key_start: usize) -> &str {
    let rest = &text.as_bytes()[value_start..];
    let after_comma = key_start > 0 && text.as_bytes()[key_start - 1] == b',';
    let end = match after_comma {
        true => memchr::memchr2(b';', b',', rest),
        false => memchr::memchr(b';', rest),
    };
    let end = end.map_or(text.len(), |e| value_start + e);
    text[value_start..end].trim_matches(['"', '\'', ' '])
}

/// The value of a query parameter that starts at `value_start`.
fn query_value(text: &str, value_start: usize) -> &str {
    let end = text.as_bytes()[value_start..]
        .iter()
        .position(|b| matches!(b, b'&' | b'"' | b' ' | b';'))
        .map_or(text.len(), |e| value_start + e);
    &text[value_start..end]
}

fn url_password(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    // The password sits before an `@`; most strings have none.
    memchr::memchr(b'@', bytes)?;
    let scheme_end =
        memchr::memchr_iter(b':', bytes).find(|&i| bytes[i + 1..].starts_with(b"//"))?;
    let rest = &text[scheme_end + 3..];
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    Some(userinfo.split_once(':')?.1)
}

/// Well-known token formats.
fn token_shape(text: &str) -> Option<&'static str> {
    let t = text.trim();
    let alnum_tail = |prefix: &str, min: usize| {
        t.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() >= min && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    };
    if alnum_tail("ghp_", 30)
        || alnum_tail("gho_", 30)
        || alnum_tail("ghs_", 30)
        || alnum_tail("github_pat_", 30)
    {
        return Some("a GitHub token");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"]
        .iter()
        .any(|p| t.starts_with(p))
        && t.len() > 20
    {
        return Some("a Slack token");
    }
    if t.len() == 20
        && t.starts_with("AKIA")
        && t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some("an AWS access key");
    }
    if t.starts_with("eyJ") {
        let mut parts = t.split('.');
        let (_header, payload, signature) = (parts.next(), parts.next(), parts.next());
        if parts.next().is_none()
            && payload.is_some_and(|p| p.starts_with("eyJ"))
            && signature.is_some_and(|s| s.len() >= 16)
        {
            return Some("a JSON web token");
        }
    }
    // An Azure storage account key: 64 random bytes, base64 (88 characters ending in `==`).
    if t.len() == 88
        && t.ends_with("==")
        && t[..86]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    {
        return Some("a storage account key");
    }
    None
}

/// A literal secret, not a placeholder, an unknown part or a reference to Key Vault.
pub fn is_literal_secret(value: &str) -> bool {
    let v = value.trim();
    if v.len() < 6 || v.contains('\0') || is_key_vault_reference(v) || is_placeholder(v) {
        return false;
    }
    if is_runtime_expression(v) {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    let placeholders = [
        "<",
        "${",
        "{{",
        "$(",
        "#{",
        "__",
        "xxxxxx",
        "******",
        "replace",
        "changeme-in",
        "your",
    ];
    if placeholders.iter().any(|p| lower.starts_with(p)) {
        return false;
    }
    !matches!(
        lower.as_str(),
        "true" | "false" | "null" | "none" | "undefined"
    )
}

/// Values that stand for a secret to be filled in later rather than being one: the quickstart
/// templates' `GEN-PASSWORD` / `GET-PREREQ-...` tokens, `changeme`, `<your key>`-style text,
/// values that name a secret instead of being one, and DSC's `PrivateSettingsRef:name`
/// pointers into protected settings.
fn is_placeholder(v: &str) -> bool {
    if is_generated_token(v) || names_a_secret(v) {
        return true;
    }
    // ARM's `base64()` of a `GEN-PASSWORD` parameter. Only the quickstart tokens: samples
    // encode text such as "example-key-not-real" to stand for a real key, and are reported.
    if base64_text(v).is_some_and(|t| is_generated_token(&t)) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("privatesettingsref:") || (lower.starts_with('%') && lower.ends_with('%'))
    {
        return true;
    }
    if has_placeholder_word(v) {
        return true;
    }
    let letters: String = lower.chars().filter(char::is_ascii_alphanumeric).collect();
    // The whole value is a word that names what should be there.
    matches!(
        letters.as_str(),
        "changeme"
            | "password"
            | "secret"
            | "defaultvalue"
            | "default"
            | "optional"
            | "required"
            | "todo"
            | "tbd"
            | "notset"
            | "empty"
    )
}

/// Whether `v` has a word that marks a placeholder (`your-key`, `%YourConnectionString%`,
/// `dummytoken`, `not-real`, `keyofyourstorageaccount`), written as a word: at the start of
/// the value, after a separator or as a camel-case word, in one case, or inside a long run of
/// lower-case letters. Random passwords hold such letters by chance, in the middle of mixed
/// letters, digits and symbols (`Hq4fakeW9z`: 1 in 40,000 random passwords of 24 characters).
fn has_placeholder_word(v: &str) -> bool {
    const MARKERS: [&str; 8] = [
        "your",
        "placeholder",
        "changethis",
        "replaceme",
        "replacewith",
        "dummy",
        "fake",
        "notreal",
    ];
    // Letters and digits, with their places in `v`: a marker may span separators (`not-real`).
    let (places, letters): (Vec<usize>, String) = v
        .char_indices()
        .filter(|(_, c)| c.is_ascii_alphanumeric())
        .map(|(i, c)| (i, c.to_ascii_lowercase()))
        .unzip();
    let bytes = v.as_bytes();
    let one_case = |word: &[u8]| {
        word.iter().all(u8::is_ascii_lowercase) || word.iter().all(u8::is_ascii_uppercase)
    };
    let as_word = MARKERS.iter().any(|marker| {
        // The matches do not overlap, so their spans add up to at most the length of `v`.
        letters.match_indices(marker).any(|(at, _)| {
            let start = places[at];
            let end = places[at + marker.len() - 1] + 1;
            let written: Vec<u8> = bytes[start..end]
                .iter()
                .copied()
                .filter(u8::is_ascii_alphanumeric)
                .collect();
            let capitalized =
                written[0].is_ascii_uppercase() && written[1..].iter().all(u8::is_ascii_lowercase);
            let after_separator = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            let camel_case = start > 0 && bytes[start - 1].is_ascii_lowercase() && capitalized;
            (after_separator && (one_case(&written) || capitalized)) || camel_case
        })
    });
    // A compound in lower case, such as `dummytoken` or `keyofyourstorageaccount`.
    let compound = || {
        v.split(|c: char| !c.is_ascii_alphabetic()).any(|run| {
            run.bytes().all(|b| b.is_ascii_lowercase())
                && MARKERS
                    .iter()
                    .any(|marker| run.len() >= marker.len() + 4 && run.contains(marker))
        })
    };
    as_word || compound()
}

/// A value that reads as the name of what belongs there: `secretKey`, `clusterToken`,
/// `primary-key`, `SERVER-APP-SECRET-FROM-AZURE-AD`. Words only; a digit or a symbol makes it
/// a (weak) password instead.
fn names_a_secret(v: &str) -> bool {
    v.bytes()
        .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
        && is_secret_like_name(v)
}

/// The text a value decodes to, when it is base64 of UTF-8 text.
fn base64_text(v: &str) -> Option<String> {
    use base64::Engine;
    if !v.len().is_multiple_of(4) {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
    String::from_utf8(bytes).ok()
}

/// The quickstart templates' `GEN-PASSWORD` / `GET-PREREQ-...` tokens, replaced by their test
/// pipeline.
fn is_generated_token(v: &str) -> bool {
    let bytes = v.as_bytes();
    let upper_token_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_uppercase);
    v.match_indices("GEN-").any(|(i, _)| upper_token_at(i + 4))
        || (v.starts_with("GET-") && upper_token_at(4))
}

/// A Logic Apps workflow expression (`@parameters('x')`, `@{body('y')}`), evaluated at run time.
fn is_runtime_expression(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('@') else {
        return false;
    };
    rest.starts_with('{')
        || rest.split_once('(').is_some_and(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic())
        })
}

/// `@Microsoft.KeyVault(...)`: App Service resolves it from Key Vault at run time.
pub fn is_key_vault_reference(value: &str) -> bool {
    const PREFIX: &str = "@Microsoft.KeyVault(";
    value
        .trim_start()
        .get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
}

/// Whether a setting or argument name suggests a secret (`DB_PASSWORD`, `ApiKey`,
/// `client_secret`), excluding names of harmless companions (`PASSWORD_MIN_LENGTH`,
/// `KEY_VAULT_NAME`, `TOKEN_AUDIENCE`, `*_ENABLED`).
pub fn is_secret_like_name(name: &str) -> bool {
    may_be_secret_like(name) && secret_like_words(name)
}

/// `is_secret_like_name` without its cheap precondition.
fn secret_like_words(name: &str) -> bool {
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    let joined = words.join("");
    let secretish = has("password")
        || has("passwd")
        || has("pwd")
        || has("secret")
        || has("token")
        || has("apikey")
        || (has("api") && has("key"))
        || (has("access") && has("key"))
        || (has("account") && has("key"))
        || (has("shared") && has("key"))
        || (has("primary") && has("key"))
        || (has("secondary") && has("key"))
        || (has("subscription") && has("key"))
        || (has("private") && has("key"))
        || joined.contains("connectionstring")
        || (has("conn") && has("str"))
        || has("sas")
        || has("credential")
        || has("credentials")
        || has("passphrase");
    if !secretish {
        return false;
    }
    let harmless_last = [
        "enabled",
        "enable",
        "disabled",
        "name",
        "names",
        "id",
        "url",
        "uri",
        "endpoint",
        "length",
        "min",
        "max",
        "audience",
        "issuer",
        "expiry",
        "expiration",
        "ttl",
        "timeout",
        "path",
        "file",
        "header",
        "type",
        "version",
        "algorithm",
        "scope",
        "scopes",
        "policy",
        "rotation",
        "count",
        "days",
        "hours",
        "minutes",
        "seconds",
        "format",
        "encoding",
        "location",
        "region",
        "mode",
        "kind",
        "provider",
        "store",
        "reference",
        "ref",
        "username",
        "user",
        "login",
        "operation",
        "method",
        "methods",
        "policies",
        "permissions",
        "tags",
        "parameters",
        "sets",
        "period",
        "action",
        "actions",
    ];
    let last = words.last().map(String::as_str).unwrap_or("");
    if harmless_last.contains(&last) {
        return false;
    }
    // Public halves of key pairs, Key Vault coordinates, federation trust settings (no secret
    // at all), NetApp's `creationToken` (a path).
    let not_secret = has("public")
        || (has("key") && has("vault"))
        || (has("ssh") && has("key") && !has("private"))
        || has("federated")
        || has("non")
        || (has("creation") && has("token"));
    !not_secret
}

/// A cheap precondition of `is_secret_like_name`: every secret-like word or word pair puts one of
/// these fragments into the name's letters and digits, lower-cased and joined. Without one the
/// name is not secret-like; with one, the full check decides.
fn may_be_secret_like(name: &str) -> bool {
    let mut joined = [0u8; 64];
    let mut len = 0;
    for b in name.bytes().filter(u8::is_ascii_alphanumeric) {
        let Some(slot) = joined.get_mut(len) else {
            // Too long for the buffer: let the full check decide.
            return true;
        };
        *slot = b.to_ascii_lowercase();
        len += 1;
    }
    let joined = &joined[..len];
    (0..len).any(|i| {
        let rest = &joined[i..];
        match rest[0] {
            b'p' => rest.starts_with(b"pass") || rest.starts_with(b"pwd"),
            b's' => rest.starts_with(b"secret") || rest.starts_with(b"sas"),
            b't' => rest.starts_with(b"token"),
            b'k' => rest.starts_with(b"key"),
            b'c' => rest.starts_with(b"conn") || rest.starts_with(b"credential"),
            _ => false,
        }
    })
}

/// Whether a reference the front end marks secret is a credential that grants access. Application
/// Insights instrumentation keys and connection strings are flagged secret by the APIs but only
/// say where telemetry goes (Microsoft does not treat them as security tokens), and there is no
/// identity-based replacement for the setting that carries them.
pub fn is_access_credential(model: &Model, r: &Ref) -> bool {
    if !r.secret {
        return false;
    }
    let resource_type = r
        .resource
        .and_then(|id| model.resources.get(id))
        .map(|res| res.resource_type.to_ascii_lowercase());
    let text = r.text.to_ascii_lowercase();
    let insights = match resource_type.as_deref() {
        Some(t) => t == "microsoft.insights/components" || t == "azurerm_application_insights",
        None => {
            text.contains("microsoft.insights/components")
                || text.starts_with("azurerm_application_insights.")
                || text.starts_with("data.azurerm_application_insights.")
        }
    };
    let attribute = r.attribute.rsplit('.').next().unwrap_or_default();
    let attribute: String = attribute
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    !(insights
        && matches!(
            attribute.as_str(),
            "instrumentationkey" | "connectionstring"
        ))
}

/// Lower-case words of a name in any case style (`DB_PASSWORD`, `dbPassword`,
/// `Db-Password`, `AzureWebJobsStorage__accountName`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether a value under a secret-like name is a non-trivial literal: not a number, a boolean, a
/// URL without credentials, a path, a Key Vault reference or a placeholder.
pub fn is_nontrivial_secret_value(value: &str) -> bool {
    let v = value.trim();
    if !is_literal_secret(v) {
        return false;
    }
    if v.parse::<f64>().is_ok() {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    if (lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("api://"))
        && credential_shape(v).is_none()
    {
        return false;
    }
    if lower.starts_with('/') || lower.starts_with("./") {
        return false;
    }
    // Switch values and identity-based connection markers sit under secret-like names
    // (`passwordAuth = "Disabled"`, `AzureWebJobsStorage__credential = "managedidentity"`).
    if matches!(
        lower.as_str(),
        "enabled" | "disabled" | "managedidentity" | "systemassigned" | "userassigned"
    ) {
        return false;
    }
    // `Bearer`, `Basic`, header names, words with spaces: descriptions rather than secrets.
    !v.contains(' ')
}

/// The literal credentials in a value of several parts: a configuration object in one setting's
/// JSON, the default of an object input. A credential-shaped string anywhere, or a literal under
/// a secret-like key that is not public material.
pub struct LiteralSecrets {
    /// The keys they are under, each once, in order.
    pub keys: Vec<String>,
    /// Their texts, each once.
    pub texts: Vec<String>,
}

pub fn literal_secrets_in(value: &Value) -> LiteralSecrets {
    let mut found = LiteralSecrets {
        keys: Vec::new(),
        texts: Vec::new(),
    };
    let mut seen_keys = foldhash::HashSet::default();
    let mut seen_texts = foldhash::HashSet::default();
    visit_strings(value, "", 0, &mut |key, text| {
        if !is_literal_credential(key, text, || false) {
            return;
        }
        if seen_keys.insert(key.to_string()) {
            found.keys.push(key.to_string());
        }
        if seen_texts.insert(text.to_string()) {
            found.texts.push(text.to_string());
        }
    });
    found
}

/// How deep [`literal_secrets_in`] looks: as deep as decoded JSON goes.
const MAX_DEPTH: usize = 128;

/// Calls `visit(key, text)` for every known string below `value`, with the key it is under.
fn visit_strings(value: &Value, key: &str, depth: usize, visit: &mut dyn FnMut(&str, &str)) {
    if depth > MAX_DEPTH {
        return;
    }
    match &value.kind {
        ValueKind::String(text) => visit(key, text),
        ValueKind::List(items) => items
            .iter()
            .for_each(|item| visit_strings(item, key, depth + 1, visit)),
        ValueKind::Map(entries) => entries
            .iter()
            .for_each(|e| visit_strings(&e.value, &e.key, depth + 1, visit)),
        _ => {}
    }
}

/// Two keys or more as a message names them: "`a`, `b` and `c`", the first
/// [`MAX_KEYS_NAMED`], then how many more.
pub fn listed(keys: &[String]) -> String {
    let mut named: Vec<String> = keys
        .iter()
        .take(MAX_KEYS_NAMED)
        .map(|key| format!("`{key}`"))
        .collect();
    if keys.len() > MAX_KEYS_NAMED {
        named.push(format!("{} more", keys.len() - MAX_KEYS_NAMED));
    }
    let last = named.pop().unwrap_or_default();
    format!("{} and {last}", named.join(", "))
}

/// How many keys a message names; the rest are counted.
const MAX_KEYS_NAMED: usize = 4;

/// Whether `text` under `key` is a literal credential: shaped like one, or a non-trivial literal
/// (not a placeholder nor a Key Vault reference) that is not public material, under a
/// secret-like key or, as `credential_argument` says when asked, a known credential argument.
pub fn is_literal_credential(
    key: &str,
    text: &str,
    credential_argument: impl FnOnce() -> bool,
) -> bool {
    credential_shape(text).is_some()
        || ((is_secret_like_name(key) || credential_argument())
            && is_nontrivial_secret_value(text)
            && !is_public_material(text))
}

/// Certificates and public keys sit under secret-like names but are not secrets.
fn is_public_material(text: &str) -> bool {
    text.starts_with("ssh-")
        || text.contains("BEGIN CERTIFICATE")
        || text.contains("BEGIN PUBLIC KEY")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random strings built from fragments that matter to the predicates.
    fn generated(fragments: &[&str], count: usize) -> Vec<String> {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..count)
            .map(|_| {
                let parts = 1 + next() % 7;
                (0..parts)
                    .map(|_| fragments[(next() % fragments.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    /// `credential_shape` as it was written before it searched from the `=` signs: a lower-cased
    /// copy and substring searches. The fast version must agree with it.
    fn credential_shape_reference(text: &str) -> Option<&'static str> {
        fn kv<'a>(lower: &str, text: &'a str, key: &str) -> Option<&'a str> {
            let mut from = 0;
            while let Some(i) = lower[from..].find(key) {
                let start = from + i;
                let before = start.checked_sub(1).map(|b| lower.as_bytes()[b]);
                if before.is_none_or(|b| b";, \"'".contains(&b)) {
                    let value_start = start + key.len();
                    let ends: &[char] = if before == Some(b',') {
                        &[';', ',']
                    } else {
                        &[';']
                    };
                    let end = text[value_start..]
                        .find(ends)
                        .map_or(text.len(), |e| value_start + e);
                    return Some(text[value_start..end].trim_matches(['"', '\'', ' ']));
                }
                from = start + key.len();
            }
            None
        }
        let lower = text.to_ascii_lowercase();
        for (key, reason) in CONNECTION_STRING_KEYS {
            if let Some(value) = kv(&lower, text, key)
                && is_literal_secret(value)
            {
                return Some(reason);
            }
        }
        let sig = lower
            .find("?sig=")
            .or_else(|| lower.find("&sig="))
            .map(|i| {
                let value_start = i + 5;
                let end = text[value_start..]
                    .find(['&', '"', ' ', ';'])
                    .map_or(text.len(), |e| value_start + e);
                &text[value_start..end]
            });
        if sig.is_some_and(is_literal_secret) {
            return Some("a SAS token signature");
        }
        if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
            return Some("a private key");
        }
        if let Some(reason) = token_shape(text) {
            return Some(reason);
        }
        let password = text.split_once("://").and_then(|(_, rest)| {
            let authority = rest.split(['/', '?', '#']).next()?;
            Some(authority.rsplit_once('@')?.0.split_once(':')?.1)
        });
        password
            .filter(|p| is_literal_secret(p))
            .map(|_| "a password in a URL")
    }

    #[test]
    fn credential_shape_agrees_with_reference() {
        let fragments = [
            "AccountKey=",
            "accountkey=",
            "xAccountKey=",
            "SharedAccessKey=",
            "sharedaccesskey=",
            "SharedAccessSignature=",
            "Password=",
            "PASSWORD=",
            "pwd=",
            "Pwd=",
            "?sig=",
            "&SIG=",
            "?sig",
            "sig=",
            ";",
            ",",
            " ",
            "\"",
            "'",
            "=",
            "==",
            "\0",
            "c2VjcmV0LWtleS1leGFtcGxl",
            "Passw0rd-example",
            "abc",
            "<your-key>",
            "https://",
            "postgres://",
            "user:",
            "hunter2hunter2",
            "@",
            "/",
            "?",
            "#",
            ":",
            "-----BEGIN",
            "PRIVATE KEY",
            "eyJhbGciOi",
            ".",
            "eyJzdWIiOi",
            "abcdefghijklmnopqr",
            "ghp_",
            "AKIA",
            "ABCDEFGHIJKLMNOP",
            "xoxb-",
            "é",
            "@Microsoft.KeyVault(",
            "GEN-PASSWORD",
            "&",
        ];
        let mut reasons = std::collections::BTreeMap::new();
        for text in generated(&fragments, 60_000) {
            let shape = credential_shape(&text);
            assert_eq!(
                shape,
                credential_shape_reference(&text),
                "{}",
                text.escape_debug()
            );
            *reasons.entry(shape).or_insert(0) += 1;
        }
        // The fragments reach every kind of shape, and most strings are no credential.
        assert!(reasons.len() >= 9, "{reasons:?}");
    }

    #[test]
    fn secret_like_precondition_is_sound() {
        let fragments = [
            "pass",
            "word",
            "Pass",
            "Word",
            "pwd",
            "PWD",
            "sec",
            "ret",
            "Secret",
            "tok",
            "en",
            "Token",
            "api",
            "Api",
            "key",
            "Key",
            "KEY",
            "conn",
            "Conn",
            "ection",
            "String",
            "str",
            "Str",
            "sas",
            "SAS",
            "cred",
            "ential",
            "Credentials",
            "phrase",
            "access",
            "Account",
            "shared",
            "Primary",
            "private",
            "_",
            "-",
            ".",
            " ",
            "__",
            "é",
            "1",
            "name",
            "Enabled",
            "vault",
            "public",
            "x",
        ];
        let names = generated(&fragments, 60_000);
        let secret_like = names.iter().filter(|n| is_secret_like_name(n)).count();
        assert!((5_000..55_000).contains(&secret_like), "{secret_like}");
        for name in names {
            assert!(
                may_be_secret_like(&name) || !secret_like_words(&name),
                "{}",
                name.escape_debug()
            );
        }
    }

    #[test]
    fn shapes() {
        let key = "DefaultEndpointsProtocol=https;AccountName=sa;AccountKey=c2VjcmV0LWtleS1leGFtcGxlLW9ubHk=;EndpointSuffix=core.windows.net";
        assert_eq!(credential_shape(key), Some("a storage account key"));
        assert_eq!(
            credential_shape("DefaultEndpointsProtocol=https;AccountName=sa;AccountKey=\0"),
            None
        );
        assert!(
            credential_shape("Server=tcp:x;Database=d;User ID=u;Password=Passw0rd-example;")
                .is_some()
        );
        assert!(
            credential_shape("https://sa.blob.core.windows.net/c?sv=2022&sig=abcdefghijklmn%3D")
                .is_some()
        );
        assert!(credential_shape("https://sa.blob.core.windows.net/c").is_none());
        assert!(credential_shape("Endpoint=sb://x/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abcdefgh123=").is_some());
        assert!(
            credential_shape("@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x)")
                .is_none()
        );
        assert!(credential_shape("postgres://admin:hunter2hunter2@db:5432/app").is_some());
        let redis = "app.redis.cache.windows.net:6380,password=c2VjcmV0LWtleQ==,ssl=True";
        assert_eq!(
            credential_shape(redis),
            Some("a password in a connection string")
        );
        let redis = "app.redis.cache.windows.net:6380,password=,ssl=True";
        assert_eq!(credential_shape(redis), None);
    }

    #[test]
    fn names() {
        for name in [
            "DB_PASSWORD",
            "ApiKey",
            "client_secret",
            "STRIPE_API_KEY",
            "AzureWebJobsStorage__connectionString",
            "SqlConnectionString",
            "JWT_SECRET",
            "accessKey",
        ] {
            assert!(is_secret_like_name(name), "{name}");
        }
        for name in [
            "PASSWORD_MIN_LENGTH",
            "KEY_VAULT_NAME",
            "TOKEN_AUDIENCE",
            "SECRET_ROTATION_ENABLED",
            "sshPublicKey",
            "WEBSITE_RUN_FROM_PACKAGE",
            "AzureWebJobsStorage__accountName",
            "TOKEN_ISSUER",
        ] {
            assert!(!is_secret_like_name(name), "{name}");
        }
    }

    #[test]
    fn values() {
        assert!(is_nontrivial_secret_value("s3cr3t-value"));
        for v in [
            "12",
            "true",
            "api://x",
            "",
            "changeme-in-pipeline",
            "<secret>",
            "${SECRET}",
            "@Microsoft.KeyVault(VaultName=kv;SecretName=x)",
            "Bearer token",
            "GEN-PASSWORD",
            "pasGEN-PASSWORDsword",
            "GET-PREREQ-storageAccountKey",
            "PrivateSettingsRef:AdminPassword",
            "keyofyourstorageaccount",
            "%YourConnectionString%",
            "Placeholder-ConnectionString-Replace-Post-Deployment",
            "dummytoken",
            "changeme",
            "defaultValue",
            "@parameters('clientSecret')",
            "@{triggerBody()?['token']}",
            "Disabled",
            "managedidentity",
            "secretKey",
            "clusterToken",
            "primary-key",
            "CLIENT-SECRET",
            "SERVER-APP-SECRET-FROM-AZURE-AD",
            "R0VOLVNFTEZTSUdORUQtQ0VSVC1QQVNTV09SRA==", // base64 of GEN-SELFSIGNED-CERT-PASSWORD
            "your-password-here",
            "YOUR_API_KEY",
            "FakePassword123!",
            "this-is-not-real",
            "MyDummyPassword1",
            "replacewithyourkey",
            "mydummykey1",
            "key=Placeholder;",
        ] {
            assert!(!is_nontrivial_secret_value(v), "{v}");
        }
        // Weak but real: deployed as written when nobody overrides it.
        for v in [
            "ChangeMe123!",
            "AdminPassword123!",
            "P@ssw0rd-2024",
            "Aa12345678",
            "S3cretKey",
            "UGFzc3dvcmQxMjMh", // base64 of Password123!
            // Random, with a marker's letters by chance: inside a word, or in mixed case.
            "Hq4fakeW9z!Lp2xRt7Vb",
            "kJ8yoURQz3!mPx",
            "T9xdummY#q2Lw8",
            "p7QyourTk2#",
        ] {
            assert!(is_nontrivial_secret_value(v), "{v}");
        }
    }

    #[test]
    fn names_that_are_not_secrets() {
        for name in [
            "restAuthCredential.username",
            "registrationTokenOperation",
            "federatedIdentityCredentials",
            "secret_permissions",
            "bearerTokenSendingMethods",
            "sasExpirationPeriod",
            "localAdminCredentialTags",
            "nonSecretParameterValues",
            "creationToken",
            "ssh Key for VM Access",
        ] {
            assert!(!is_secret_like_name(name), "{name}");
        }
        for name in [
            "sshPrivateKey",
            "gitSshPrivateKey",
            "sshPassword",
            "authCredentials",
        ] {
            assert!(is_secret_like_name(name), "{name}");
        }
    }
}
