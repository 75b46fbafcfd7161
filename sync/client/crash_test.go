package client_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/hub"
)

// TestMain lets the test binary double as a hub or a kiosk process that
// the crash tests kill with SIGKILL.
func TestMain(m *testing.M) {
	if dir := os.Getenv("OFFICINA_HUB_CHILD"); dir != "" {
		hubChild(dir, os.Getenv("OFFICINA_HUB_ADDR"))
		return
	}
	if dir := os.Getenv("OFFICINA_KIOSK_CHILD"); dir != "" {
		kioskChild(dir)
		return
	}
	os.Exit(m.Run())
}

func hubChild(dir, addr string) {
	ctx := context.Background()
	st, err := hub.OpenSQLite(ctx, filepath.Join(dir, "hub.db"))
	check(err)
	keys, err := hub.LoadOrCreateKeys(filepath.Join(dir, "keys"), nil)
	check(err)
	blobs, err := bundle.OpenBlobs(filepath.Join(dir, "blobs"))
	check(err)
	ln, err := net.Listen("tcp", addr)
	check(err)
	fmt.Println("listening")
	check(http.Serve(ln, hub.NewServer(st, keys, blobs, hub.Options{RateLimit: 1 << 30})))
}

func kioskChild(dir string) {
	ctx := context.Background()
	id, err := identity.LoadOrCreate(dir, nil)
	check(err)
	st, err := store.Open(ctx, filepath.Join(dir, "officina.db"), id.ID, store.Options{Schemas: []store.Schema{client.Schema}})
	check(err)
	en, err := client.LoadEnrolment(dir)
	check(err)
	c, err := client.New(ctx, client.Options{Store: st, Identity: id, Enrolment: en, BatchEvents: 300})
	check(err)
	fmt.Println("started")
	_, err = c.Upload(ctx)
	check(err)
	fmt.Println("done")
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startChild(t *testing.T, env ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("child did not start")
	}
	return cmd, sc
}

func kill(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

func TestHubKilledMidBatchLosesAndDuplicatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped with -short")
	}
	ctx := context.Background()
	hubDir := t.TempDir()
	addr := freeAddr(t)
	hubEnv := []string{"OFFICINA_HUB_CHILD=" + hubDir, "OFFICINA_HUB_ADDR=" + addr}
	hubProc, _ := startChild(t, hubEnv...)
	// Enrol against the child hub through its own store (the code is
	// written to the database the child serves).
	st, err := hub.OpenSQLite(ctx, filepath.Join(hubDir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	code := fmt.Sprint("CRASH-", time.Now().UnixNano())
	if err := st.AddEnrolCode(ctx, code, "s", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	k := &testKiosk{dir: t.TempDir()}
	k.id, _ = identity.LoadOrCreate(k.dir, nil)
	k.clock = newFakeNow()
	k.openStore(t)
	k.enrol, err = client.Enrol(ctx, "http://"+addr, code, k.id, client.EnrolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := k.newClient(t, client.Options{BatchEvents: 250, HTTP: &http.Client{Timeout: 5 * time.Second}})
	const n = 12000
	k.appendEvents(t, n)
	rng := rand.New(rand.NewPCG(1, 2))
	kills := 0
	for round := 0; k.backlog(t) > 0; round++ {
		if round > 40 {
			t.Fatalf("backlog %d after 40 rounds", k.backlog(t))
		}
		done := make(chan error, 1)
		go func() { _, err := c.Upload(ctx); done <- err }()
		if round < 6 {
			time.Sleep(time.Duration(5+rng.IntN(60)) * time.Millisecond)
			kill(hubProc)
			kills++
			<-done
			t.Logf("hub killed with backlog %d of %d", k.backlog(t), n)
			hubProc, _ = startChild(t, hubEnv...)
			continue
		}
		if err := <-done; err != nil {
			t.Logf("round %d: %v", round, err)
		}
	}
	kill(hubProc)
	checkHubHasExactly(t, &testHub{store: st}, k, n)
	st.Close()
	t.Logf("hub killed %d times mid-upload", kills)
}

func TestKioskKilledMidUploadLosesAndDuplicatesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped with -short")
	}
	h := startHub(t, t.TempDir(), hub.Options{RateLimit: 1 << 30}, nil)
	k := newKiosk(t, h, "s")
	const n = 15000
	k.appendEvents(t, n)
	k.store.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	env := "OFFICINA_KIOSK_CHILD=" + k.dir
	for round := 0; round < 6; round++ {
		cmd, sc := startChild(t, env)
		time.Sleep(time.Duration(10+rng.IntN(80)) * time.Millisecond)
		kill(cmd)
		_ = sc
		t.Logf("kiosk killed with %d of %d events at the hub", h.count(t, k.id.ID), n)
	}
	cmd, sc := startChild(t, env)
	finished := false
	for sc.Scan() {
		finished = finished || strings.TrimSpace(sc.Text()) == "done"
	}
	if err := cmd.Wait(); err != nil || !finished {
		t.Fatalf("final kiosk run: %v (finished %v)", err, finished)
	}
	k.openStore(t)
	if k.backlog(t) != 0 {
		t.Fatalf("backlog %d after the final run", k.backlog(t))
	}
	checkHubHasExactly(t, h, k, n)
}
