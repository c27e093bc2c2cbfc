//! Validating SARIF reports against the official SARIF 2.1.0 JSON schema
//! (`testdata/sarif/sarif-schema-2.1.0.json`, see the README beside it).

/// The official schema, as checked in.
const SCHEMA: &str = include_str!("../../testdata/sarif/sarif-schema-2.1.0.json");

/// A validator of the SARIF schema: draft-07, formats checked. The
/// schema's `language` patterns (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`,
/// of `run` and `toolComponent`) hold a stray `]`, which ECMA-262 reads as
/// a literal (Annex B) and the validator refuses when it checks the schema
/// itself: they are read as meant (`xx` or `xx-XX`) before the schema is
/// compiled. drift writes no `language`.
pub fn validator() -> jsonschema::Validator {
    let mut schema: serde_json::Value =
        serde_json::from_str(SCHEMA).expect("the SARIF schema is JSON");
    for owner in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][owner]["properties"]["language"]["pattern"];
        assert_eq!(pattern, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *pattern = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    assert!(!schema.to_string().contains("{2}]?"));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Panics, naming every error, unless `text` is a valid SARIF 2.1.0 log.
pub fn assert_valid_sarif(text: &str) {
    let validator = validator();
    let instance: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}\n{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validator_refuses_invalid_sarif() {
        let validator = validator();
        let no_name = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]});
        assert!(!validator.is_valid(&no_name));
        let level = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
            "results": [{"message": {"text": "m"}, "level": "fatal"}]}]});
        assert!(!validator.is_valid(&level));
        let uri = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x",
            "informationUri": "not a uri"}}}]});
        assert!(!validator.is_valid(&uri));
        let good =
            serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}]});
        assert!(validator.is_valid(&good));
    }
}
