// Command officina is the kiosk: the touchscreen application and its
// command line. main is the only place that opens the database, the
// hardware, the network and the window, and wires them together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// env is what a subcommand may touch of the process.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	environ        []string
}

// command is one `officina NAME` subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	cs := []command{
		{"run", "start the kiosk (the default); --headless runs without a window", runCmd},
		{"version", "print the version and this kiosk's device id", versionCmd},
		{"config", "config show: print the effective configuration", configCmd},
	}
	cs = append(cs, moreCommands()...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	return cs
}

// errUsage marks an error whose message is a usage hint; the exit code is 2.
var errUsage = errors.New("usage")

func main() { os.Exit(mainWithSignals(os.Args[1:])) }

// mainWithSignals runs the command line with SIGINT and SIGTERM cancelling
// its context, as systemd and Ctrl-C stop the kiosk.
func mainWithSignals(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return realMain(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, environ: os.Environ()}, args)
}

func realMain(ctx context.Context, e *env, args []string) int {
	name := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(e.stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, e, args)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				fmt.Fprintln(e.stderr, "officina:", err)
				return 2
			default:
				fmt.Fprintln(e.stderr, "officina:", err)
				return 1
			}
		}
	}
	fmt.Fprintf(e.stderr, "officina: unknown command %q\n", name)
	usage(e.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: officina [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'officina COMMAND -h' for a command's flags.")
}
