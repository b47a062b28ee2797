//go:build tools

// Package tools pins metrics-server, built with `go build sigs.k8s.io/metrics-server/cmd/metrics-server` from this module.
package tools

import _ "sigs.k8s.io/metrics-server/cmd/metrics-server"
