// Package browsertest drives Debian's Chromium through the DevTools protocol
// against a whole paypage server (apptest: real router, simulator, demo shop
// and PostgreSQL), as a shopper on a 360 px Android webview would. Each
// scenario starts at the demo shop and taps through to the verified result,
// and every page state on the way is screenshotted into
// test-artifacts/browser and checked for layout, tap-target size, labels,
// contrast (axe-core), console errors and requests to other origins. A
// separate test holds the payment page to its weight budget.
//
// The package has only tests. Without a chromium binary (or without npm,
// which fetches axe-core) they skip with one loud line, or fail when
// PAYPAGE_REQUIRE_BROWSER=1. The HTTP-level versions of the same journeys
// live in web/checkout_test.go; this package adds what only a browser sees.
package browsertest
