//! Predicates shared by the secret rules: what a credential looks like, and which setting or
//! argument names carry one. Values with `\0` stand for unknown parts of a template.

use crate::model::{Model, Ref};

/// Why `text` is a credential by its shape, or `None`. Unknown parts (`\0`) never count as the
/// secret itself: `AccountKey=\0` is not a literal credential.
pub fn credential_shape(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    for (key, reason) in [
        ("accountkey=", "a storage account key"),
        ("sharedaccesskey=", "a shared access key"),
        ("password=", "a password in a connection string"),
        ("pwd=", "a password in a connection string"),
        ("sharedaccesssignature=", "a shared access signature"),
    ] {
        if let Some(value) = connection_string_value(&lower, text, key)
            && is_literal_secret(value)
        {
            return Some(reason);
        }
    }
    if let Some(sig) = query_value(&lower, text, "sig=")
        && is_literal_secret(sig)
    {
        return Some("a SAS token signature");
    }
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
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

/// The value of `key` in a `k=v;k=v` connection string (case-insensitive key).
fn connection_string_value<'a>(lower: &str, text: &'a str, key: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = lower[from..].find(key) {
        let start = from + i;
        let at_boundary =
            start == 0 || matches!(lower.as_bytes()[start - 1], b';' | b' ' | b'"' | b'\'');
        if at_boundary {
            let value_start = start + key.len();
            let end = text[value_start..]
                .find(';')
                .map_or(text.len(), |e| value_start + e);
            return Some(text[value_start..end].trim_matches(['"', '\'', ' ']));
        }
        from = start + key.len();
    }
    None
}

fn query_value<'a>(lower: &str, text: &'a str, key: &str) -> Option<&'a str> {
    let i = lower
        .find(&format!("?{key}"))
        .or_else(|| lower.find(&format!("&{key}")))?;
    let value_start = i + 1 + key.len();
    let end = text[value_start..]
        .find(['&', '"', ' ', ';'])
        .map_or(text.len(), |e| value_start + e);
    Some(&text[value_start..end])
}

fn url_password(text: &str) -> Option<&str> {
    let rest = text.split_once("://")?.1;
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
    let parts: Vec<&str> = t.split('.').collect();
    if parts.len() == 3
        && t.starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts[2].len() >= 16
    {
        return Some("a JSON web token");
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
/// templates' `GEN-PASSWORD` / `GET-PREREQ-...` tokens, `changeme`, `<your key>`-style text, and
/// DSC's `PrivateSettingsRef:name` pointers into protected settings.
fn is_placeholder(v: &str) -> bool {
    let bytes = v.as_bytes();
    let upper_token_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_uppercase);
    if v.match_indices("GEN-").any(|(i, _)| upper_token_at(i + 4))
        || (v.starts_with("GET-") && upper_token_at(4))
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("privatesettingsref:") || (lower.starts_with('%') && lower.ends_with('%'))
    {
        return true;
    }
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
    let letters: String = lower.chars().filter(char::is_ascii_alphanumeric).collect();
    if MARKERS.iter().any(|m| letters.contains(m)) {
        return true;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
        ] {
            assert!(!is_nontrivial_secret_value(v), "{v}");
        }
        // Weak but real: deployed as written when nobody overrides it.
        for v in [
            "ChangeMe123!",
            "AdminPassword123!",
            "P@ssw0rd-2024",
            "Aa12345678",
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
