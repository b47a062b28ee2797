//go:build tools

// Package tools pins promtool, built with `go build github.com/prometheus/prometheus/cmd/promtool`
// from this module: the chart's alert rules are checked by `promtool test rules`, Prometheus's own.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
