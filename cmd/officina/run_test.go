package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The child half of TestHeadlessStopsOnSIGTERM: the test binary re-runs
// itself with GO_OFFICINA_CHILD set and becomes the kiosk.
func TestHeadlessChild(t *testing.T) {
	if os.Getenv("GO_OFFICINA_CHILD") == "" {
		t.Skip("run by TestHeadlessStopsOnSIGTERM")
	}
	os.Exit(mainWithSignals(strings.Fields(os.Getenv("GO_OFFICINA_CHILD"))))
}

// TestHeadlessStopsOnSIGTERM starts `officina run --headless` as a process,
// waits for its status endpoint, sends SIGTERM as systemd does, and checks
// that it exits 0 after logging a clean stop, with its data directory
// holding the device key and the database.
func TestHeadlessStopsOnSIGTERM(t *testing.T) {
	data := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHeadlessChild$")
	cmd.Env = append(os.Environ(), "GO_OFFICINA_CHILD=run --headless --data "+data+" --status-addr "+addr)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	deadline := time.Now().Add(60 * time.Second)
	var status map[string]any
	for {
		resp, err := http.Get("http://" + addr + "/status")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&status)
			resp.Body.Close()
			if err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the kiosk's status endpoint never answered; its log:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	kiosk, _ := status["kiosk"].(map[string]any)
	if id, _ := kiosk["device_id"].(string); !strings.HasPrefix(id, "ofc-") {
		t.Errorf("/status kiosk.device_id = %v, want the device id", kiosk["device_id"])
	}
	if st, _ := status["store"].(map[string]any); st["writable"] != true {
		t.Errorf("/status store = %v, want writable", st)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after SIGTERM the kiosk exited with %v; its log:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the kiosk did not stop within 20 s of SIGTERM; its log:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "officina stopped") {
		t.Errorf("no clean-stop line in the log:\n%s", stderr.String())
	}
	for _, f := range []string{"device.key", "officina.db"} {
		if _, err := os.Stat(data + "/" + f); err != nil {
			t.Errorf("data directory lacks %s: %v", f, err)
		}
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Errorf("the status endpoint %s still answers after the kiosk stopped", addr)
	}
}
