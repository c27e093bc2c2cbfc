//! Container image references (`registry:5000/shop/web:1.4.2@sha256:…`)
//! split into repository, tag and digest, so that the repository is
//! compared as an identity and the tag as a version.
//!
//! Written by hand: the reference grammar (distribution's `reference`
//! package) needs only its split points here, not validation.

/// The parts of an image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference<'a> {
    /// Registry and path (`registry:5000/shop/web`).
    pub(crate) repository: &'a str,
    /// The tag, when there is one (`1.4.2`).
    pub(crate) tag: Option<&'a str>,
    /// The digest, when there is one (`sha256:…`).
    pub(crate) digest: Option<&'a str>,
}

/// Splits an image reference.
pub(crate) fn split(image: &str) -> Reference<'_> {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    // A tag's `:` comes after the last `/` (a registry's port comes before).
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[last_slash..].rfind(':') {
        Some(colon) => {
            let at = last_slash + colon;
            Reference {
                repository: &name[..at],
                tag: Some(&name[at + 1..]),
                digest,
            }
        }
        None => Reference {
            repository: name,
            tag: None,
            digest,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split() {
        assert_eq!(
            split("registry:5000/shop/web:1.4.2@sha256:ab"),
            Reference {
                repository: "registry:5000/shop/web",
                tag: Some("1.4.2"),
                digest: Some("sha256:ab"),
            }
        );
        assert_eq!(split("registry:5000/shop/web").tag, None);
        assert_eq!(split("nginx").repository, "nginx");
        assert_eq!(split("nginx:1.27").tag, Some("1.27"));
        assert_eq!(split("nginx@sha256:ab").digest, Some("sha256:ab"));
    }
}
