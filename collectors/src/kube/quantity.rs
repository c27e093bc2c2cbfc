//! Kubernetes resource quantities (`500m`, `1Gi`, `1e3`) as numbers, so
//! that `500m` and `0.5` compare equal and numeric tolerances apply.
//!
//! Written by hand: the grammar is a decimal number and one suffix
//! (`resource.Quantity` in the API reference), smaller than a crate for it.

use drift_core::Value;

/// The value of a quantity: an integer when it is whole (`1Gi` =
/// 1073741824, `1000m` = 1), a float otherwise (`500m` = 0.5); `None` when
/// the text is not a quantity.
pub(crate) fn parse(text: &str) -> Option<Value> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    if number.is_empty() || number == "+" || number == "-" {
        return None;
    }
    let base: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    let value = base * factor;
    if !value.is_finite() {
        return None;
    }
    let rounded = value.round();
    if (value - rounded).abs() < 1e-9 && rounded.abs() < 9.0e15 {
        // Whole (within float error): an integer, exactly.
        return Some(Value::Int(rounded as i64));
    }
    // Nine significant decimals, as the API server keeps them (`n`).
    Some(Value::Float((value * 1e9).round() / 1e9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_numbers() {
        assert_eq!(parse("500m"), Some(Value::Float(0.5)));
        assert_eq!(parse("0.5"), Some(Value::Float(0.5)));
        assert_eq!(parse("1000m"), Some(Value::Int(1)));
        assert_eq!(parse("1"), Some(Value::Int(1)));
        assert_eq!(parse("1Gi"), Some(Value::Int(1_073_741_824)));
        assert_eq!(parse("512Mi"), Some(Value::Int(536_870_912)));
        assert_eq!(parse("1G"), Some(Value::Int(1_000_000_000)));
        assert_eq!(parse("1e3"), Some(Value::Int(1000)));
        assert_eq!(parse("100Ki"), Some(Value::Int(102_400)));
        assert_eq!(parse("250u"), Some(Value::Float(0.00025)));
        assert_eq!(parse("lots"), None);
        assert_eq!(parse("1Xi"), None);
        assert_eq!(parse(""), None);
    }
}
