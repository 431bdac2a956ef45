// Package conformance replays the scenarios of Jenkins core's own tests (ApiTokenPropertyTest,
// ApiTokenStatsTest, DefaultCrumbIssuerTest, IdStrategyTest, ...) against the simulator in
// package jenkinssim, over HTTP and through the script console. Each Go test names the Jenkins
// test method it mirrors; scenarios that cannot be expressed are listed in ../README.md.
//
// Run with: go test ./internal/jenkinssim/conformance/
package conformance
