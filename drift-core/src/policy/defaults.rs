//! What drift assumes when no rule says otherwise.
//!
//! | finding | default severity |
//! |---|---|
//! | a key missing in some environment | `error` (`warning` for development-only packages, `info` for column order) |
//! | values of different types | `error` |
//! | a schema object that differs | `error` (`warning` for server settings and version, `info` for column order) |
//! | a package or runtime version that differs | `error` for a major skew, `warning` for minor or unclassifiable, `info` for patch and pre-release |
//! | any other value that differs | `warning` |
//! | equal values where a rule expects them to differ | `error` |
//! | a version older than a rule's `not_older_than` environment | `error` |
//!
//! Keys whose name looks environment-specific (last word `HOST`, `URL`,
//! `URI`, `ENDPOINT`, `ADDR`, `ADDRESS`, `DOMAIN`, `DSN`…) and secrets need
//! only be present everywhere.

use crate::key::{KeyPath, Layer};
use crate::secret::is_env_specific_name;
use crate::version::Skew;

use super::{Expect, Severity};

/// The kind of a difference, as far as severity defaults are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum DefaultKind {
    /// Absent somewhere.
    Missing,
    /// Different types.
    TypeMismatch,
    /// Different values; for versions, with their skew.
    Changed(Option<Skew>),
    /// Equal where they must differ.
    NotDifferent,
    /// Older than the reference environment.
    Behind,
}

/// The default expectation for a key: `present` for environment-specific
/// keys (hosts, URLs, endpoints), `equal` otherwise.
///
/// Secrets need no name check here: their values are fingerprints, which are
/// compared for presence only unless a rule says otherwise.
///
/// Only settings (`env:`, `config:` and `k8s:` keys) are judged by name: a schema
/// column called `url` or a package called `host` is structure, and must
/// match.
pub(crate) fn expect_for(key: &KeyPath) -> Expect {
    if matches!(key.layer(), Layer::Env | Layer::Config | Layer::Kube) && is_env_specific_name(key)
    {
        Expect::Present
    } else {
        Expect::Equal
    }
}

/// Whether a schema key is cosmetic (column order).
fn is_cosmetic(key: &KeyPath) -> bool {
    key.layer() == Layer::Schema && key.body().contains(":column_order:")
}

/// Whether a Kubernetes key is a size that differs between environments by
/// design: replicas, autoscaler bounds and metric targets, disruption
/// budgets, resource requests and limits.
fn is_kube_size(key: &KeyPath) -> bool {
    if key.layer() != Layer::Kube {
        return false;
    }
    let body = key.body();
    let (object, field) = body.split_once(':').unwrap_or(("", body));
    let autoscaler_target = object.contains("/HorizontalPodAutoscaler/")
        && field.starts_with("spec.metrics[")
        && [
            ".target.averageUtilization",
            ".target.averageValue",
            ".target.value",
        ]
        .iter()
        .any(|t| field.ends_with(t));
    matches!(
        field,
        "spec.replicas" | "spec.minReplicas" | "spec.maxReplicas"
    ) || autoscaler_target
        || is_disruption_budget(key)
        || field.contains(".resources.requests.")
        || field.contains(".resources.limits.")
}

/// Whether a key is a disruption budget's `minAvailable` or
/// `maxUnavailable`, a count or a percentage.
fn is_disruption_budget(key: &KeyPath) -> bool {
    let body = key.body();
    key.layer() == Layer::Kube
        && body.split_once(':').is_some_and(|(object, field)| {
            object.contains("/PodDisruptionBudget/")
                && matches!(field, "spec.minAvailable" | "spec.maxUnavailable")
        })
}

fn is_schema_setting(key: &KeyPath) -> bool {
    let body = key.body();
    body.contains(":setting:") || body.contains(":server:")
}

/// The default severity of a finding of `kind` on `key`; `dev` tells
/// whether every value is a development-only package.
pub(crate) fn severity(key: &KeyPath, kind: DefaultKind, dev: bool) -> Severity {
    if is_cosmetic(key) {
        return Severity::Info;
    }
    match kind {
        DefaultKind::Missing if dev => Severity::Warning,
        // A count in one environment, a percentage in another: which is
        // stricter depends on the replicas.
        DefaultKind::TypeMismatch if is_disruption_budget(key) => Severity::Warning,
        DefaultKind::Missing
        | DefaultKind::TypeMismatch
        | DefaultKind::NotDifferent
        | DefaultKind::Behind => Severity::Error,
        DefaultKind::Changed(_) if is_kube_size(key) => Severity::Info,
        DefaultKind::Changed(skew) => match key.layer() {
            Layer::Schema if is_schema_setting(key) => Severity::Warning,
            Layer::Schema => Severity::Error,
            _ => match skew {
                Some(Skew::Major) if dev => Severity::Warning,
                Some(Skew::Major) => Severity::Error,
                Some(Skew::Patch | Skew::Prerelease) => Severity::Info,
                Some(_) if dev => Severity::Info,
                _ => Severity::Warning,
            },
        },
    }
}

#[cfg(test)]
mod kube_tests {
    use super::*;

    #[test]
    fn kube_sizes_differ_by_design() {
        let key = |k: &str| KeyPath::new(k).unwrap();
        let changed = DefaultKind::Changed(None);
        for (k, expected) in [
            ("k8s:shop/Deployment/web:spec.replicas", Severity::Info),
            (
                "k8s:shop/HorizontalPodAutoscaler/web:spec.maxReplicas",
                Severity::Info,
            ),
            (
                "k8s:shop/Deployment/web:spec.template.spec.containers[name=app].resources.limits.memory",
                Severity::Info,
            ),
            (
                "k8s:shop/Deployment/web:spec.template.spec.containers[name=app].env[name=A].value",
                Severity::Warning,
            ),
            ("config:a.yaml:spec.replicas", Severity::Warning),
            (
                "k8s:shop/HorizontalPodAutoscaler/web:spec.metrics[metric=resource/cpu].resource.target.averageUtilization",
                Severity::Info,
            ),
            (
                "k8s:shop/HorizontalPodAutoscaler/web:spec.metrics[metric=resource/cpu].type",
                Severity::Warning,
            ),
            (
                "k8s:shop/Deployment/web:spec.metrics[metric=resource/cpu].resource.target.averageUtilization",
                Severity::Warning,
            ),
            (
                "k8s:shop/PodDisruptionBudget/web:spec.minAvailable",
                Severity::Info,
            ),
            (
                "k8s:shop/PodDisruptionBudget/web:spec.maxUnavailable",
                Severity::Info,
            ),
            (
                "k8s:shop/PodDisruptionBudget/web:spec.selector.matchLabels.app",
                Severity::Warning,
            ),
            (
                "k8s:shop/Deployment/web:spec.template.spec.containers[name=app].readinessProbe.failureThreshold",
                Severity::Warning,
            ),
        ] {
            assert_eq!(severity(&key(k), changed, false), expected, "{k}");
        }
        // A budget's count against a percentage: a warning.
        assert_eq!(
            severity(
                &key("k8s:shop/PodDisruptionBudget/web:spec.minAvailable"),
                DefaultKind::TypeMismatch,
                false
            ),
            Severity::Warning
        );
        assert_eq!(
            severity(
                &key("k8s:shop/Deployment/web:spec.replicas"),
                DefaultKind::TypeMismatch,
                false
            ),
            Severity::Error
        );
        // A size missing somewhere is still an error.
        assert_eq!(
            severity(
                &key("k8s:shop/Deployment/web:spec.replicas"),
                DefaultKind::Missing,
                false
            ),
            Severity::Error
        );
    }
}
