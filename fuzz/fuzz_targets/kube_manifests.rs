//! The Kubernetes reader (`drift snapshot --kube-manifests`): any bytes as
//! a manifest file (YAML documents, JSON, `kind: List`), read without and
//! with name rules (a namespace map, a stripped prefix and suffix, owned
//! objects kept): no crash, and work bounded by the input: at most four
//! keys a byte and 64 more (the server defaults filled into a small object
//! are a few keys for a few bytes), so that an alias, a List or a
//! ConfigMap file cannot multiply it.
#![no_main]

use drift_collectors::Collector;
use drift_collectors::kube::KubeCollector;
use drift_collectors::transport::Local;
use drift_core::{ManifestBuilder, Sanitizer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let plain = KubeCollector::new().bytes("-", data.to_vec());
    let mapped = KubeCollector::new()
        .bytes("-", data.to_vec())
        .namespace("shop")
        .map_namespace("shop-prod", "shop")
        .strip_prefix("prod-")
        .strip_suffix("-prod")
        .keep_owned(true);
    for kube in [plain, mapped] {
        let collection = kube.collect(&Local::new());
        let mut b = ManifestBuilder::new("prod", "local", Sanitizer::default());
        b.add("kube", "1", collection);
        let manifest = b.finish(None);
        assert!(
            manifest.len() <= 4 * data.len() + 64,
            "{} keys from {} bytes",
            manifest.len(),
            data.len()
        );
    }
});
