// Command etcd builds etcd 3.6 from its official module. etcd's own go.mod carries relative
// replace lines, so `go install` of it fails; this one-line module gives it a home.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
