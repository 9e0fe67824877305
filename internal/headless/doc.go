// Package headless runs Debian's Chromium headless and offline for the tests
// that look at modelwatch's HTML pages as a person would: it finds the
// browser, loads a page with the network features off, and checks that a
// screenshot is not blank.
//
// Tests fail when Chromium is missing (apt-get install -y chromium), except
// under go test -short, where they skip.
package headless
