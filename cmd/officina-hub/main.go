// Command officina-hub is the central server: sync API, content publisher,
// reports and the fleet view. See docs/sync-protocol.md.
package main

import (
	"fmt"
	"os"
	"runtime"
)

var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("officina-hub %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return
	}
	fmt.Fprintln(os.Stderr, "officina-hub: only 'version' exists so far")
	os.Exit(2)
}
