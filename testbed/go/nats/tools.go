//go:build tools

// Package tools pins nats-server, built with `go build github.com/nats-io/nats-server/v2` from this module.
package tools

import _ "github.com/nats-io/nats-server/v2"
