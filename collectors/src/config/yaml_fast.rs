//! A fast path for the most common shape of YAML.

use super::tree::Node;

/// Parses `text` when it is of the simple shape this module handles, else
/// `None` (the caller then uses the full parser).
pub(crate) fn parse(_text: &str) -> Option<Vec<Node>> {
    None
}
