package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runOfficina runs the command line in-process with an empty environment
// and a fresh HOME, returning the exit code, stdout and stderr.
func runOfficina(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), environ: []string{"HOME=" + t.TempDir()}}
	code := realMain(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// runCombined is runOfficina with stdout and stderr interleaved, as a
// person at a terminal reads them.
func runCombined(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, stdin: strings.NewReader(""), environ: []string{"HOME=" + t.TempDir()}}
	return realMain(context.Background(), e, args), out.String()
}
