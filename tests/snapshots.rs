//! Snapshot tests of one provider page and one handout of the test site.
//! Update after a deliberate template change with
//! `INSTA_UPDATE=always cargo test --test snapshots` and review the diff.

mod common;

use common::*;

#[test]
fn provider_page() {
    let site = Site::unbuilt();
    site.build().expect_success();
    insta::assert_snapshot!(
        "provider_page_nadia_okafor",
        site.read("public/providers/nadia-okafor/index.html")
    );
}

#[test]
fn handout() {
    let site = Site::unbuilt();
    site.build().expect_success();
    insta::assert_snapshot!(
        "handout_nadia_okafor",
        site.read("handouts/nadia-okafor.html")
    );
}

#[test]
fn contact_card() {
    let site = Site::unbuilt();
    site.build().expect_success();
    insta::assert_snapshot!(
        "vcard_nadia_okafor",
        site.read("public/providers/nadia-okafor/nadia-okafor.vcf")
            .replace("\r\n", "\n")
    );
}
