//! YAML's scalars typed by the core schema (YAML 1.2), as the full reader
//! and the fast path both resolve them.

use yaml_rust2::parser::Tag;
use yaml_rust2::scanner::TScalarStyle;

use super::tree::Node;

/// The typed value of a scalar, by YAML 1.2's core schema as yaml-rust2
/// resolves it. Quoted scalars are strings; `!!int`-style tags are honoured;
/// other tags are kept as a prefix (`!Ref name`).
pub(crate) fn resolve(text: String, style: TScalarStyle, tag: Option<Tag>) -> Node {
    if style != TScalarStyle::Plain {
        return Node::Str(text);
    }
    let Some(tag) = tag else {
        return resolve_plain(text);
    };
    if tag.handle == "tag:yaml.org,2002:" {
        let typed = match tag.suffix.as_str() {
            "bool" => match text.as_str() {
                "true" | "True" | "TRUE" => Some(Node::Bool(true)),
                "false" | "False" | "FALSE" => Some(Node::Bool(false)),
                _ => None,
            },
            "int" => text.parse::<i64>().ok().map(Node::Int),
            "float" => parse_f64(&text).map(Node::Float),
            "null" => matches!(text.as_str(), "~" | "null").then_some(Node::Null),
            _ => None,
        };
        return typed.unwrap_or(Node::Str(text));
    }
    Node::Str(format!("{}{} {text}", tag.handle, tag.suffix))
}

/// Resolves an untagged plain scalar: null, booleans, integers (decimal,
/// `0x`, `0o`), floats (`.inf`, `.nan`), else a string.
pub(crate) fn resolve_plain(text: String) -> Node {
    resolve_typed(&text).unwrap_or(Node::Str(text))
}

/// [`resolve_plain`] for borrowed text: allocates only for strings.
pub(crate) fn resolve_plain_str(text: &str) -> Node {
    resolve_typed(text).unwrap_or_else(|| Node::Str(text.to_owned()))
}

/// The value of a plain scalar of up to 18 decimal digits (and at least
/// one), the most common scalar of configuration, as `parse` would give it.
pub(crate) fn plain_digits(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 18 {
        return None;
    }
    text.bytes().try_fold(0i64, |n, b| {
        let digit = b.wrapping_sub(b'0');
        (digit <= 9).then(|| n * 10 + i64::from(digit))
    })
}

/// The non-string value of a plain scalar, if it is one.
fn resolve_typed(text: &str) -> Option<Node> {
    let Some(&first) = text.as_bytes().first() else {
        return Some(Node::Null);
    };
    if let Some(n) = plain_digits(text) {
        return Some(Node::Int(n));
    }
    // Only these can start a non-string scalar.
    if !matches!(
        first,
        b'0'..=b'9' | b'+' | b'-' | b'.' | b'~' | b'n' | b't' | b'T' | b'f' | b'F'
    ) {
        return None;
    }
    // The core schema's `0x[0-9a-fA-F]+`, `0o[0-7]+` and `[-+]?[0-9]+`:
    // Rust's parsers also take a sign after the prefix (`0x-1`, `++1`,
    // `+-1`), which YAML reads as strings.
    let digits = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    if let Some(hex) = text.strip_prefix("0x") {
        if digits(hex, 16)
            && let Ok(i) = i64::from_str_radix(hex, 16)
        {
            return Some(Node::Int(i));
        }
    } else if let Some(oct) = text.strip_prefix("0o") {
        if digits(oct, 8)
            && let Ok(i) = i64::from_str_radix(oct, 8)
        {
            return Some(Node::Int(i));
        }
    } else if let Some(num) = text.strip_prefix('+') {
        if digits(num, 10)
            && let Ok(i) = num.parse::<i64>()
        {
            return Some(Node::Int(i));
        }
        if !num.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return None;
        }
    }
    match text {
        "~" | "null" => Some(Node::Null),
        "true" | "True" | "TRUE" => Some(Node::Bool(true)),
        "false" | "False" | "FALSE" => Some(Node::Bool(false)),
        t => {
            if let Ok(i) = t.parse::<i64>() {
                Some(Node::Int(i))
            } else {
                parse_f64(t).map(Node::Float)
            }
        }
    }
}

/// YAML's core-schema floats (yaml-rust2's rules).
fn parse_f64(v: &str) -> Option<f64> {
    match v {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        _ if v.bytes().any(|b| b.is_ascii_digit()) => v.parse::<f64>().ok(),
        _ => None,
    }
}
