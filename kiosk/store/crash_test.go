package store_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/officina-digitale/officina/kiosk/store"
)

// TestMain lets the test binary double as the crash child: with
// OFFICINA_CRASH_CHILD set it appends events forever, printing each
// sequence number once Write has returned (the acknowledgement).
func TestMain(m *testing.M) {
	if path := os.Getenv("OFFICINA_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	os.Exit(m.Run())
}

func crashChild(path string) {
	ctx := context.Background()
	s, err := store.Open(ctx, path, "crash", store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	for {
		var seq uint64
		n := 1 + rand.IntN(20) // batches of varied size
		err := s.Write(ctx, func(tx *store.Tx) error {
			for i := 0; i < n; i++ {
				var p [200]byte
				ev, err := tx.Append("crash.test", 1, p[:])
				if err != nil {
					return err
				}
				binary.BigEndian.PutUint64(p[:8], ev.Seq) // payload names its own seq
				if _, err := tx.Exec(`UPDATE events SET payload = ? WHERE seq = ?`, p[:], ev.Seq); err != nil {
					return err
				}
				seq = ev.Seq
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
		fmt.Fprintln(out, seq)
		out.Flush()
	}
}

// TestPowerCutMidAppend kills a child process that is appending, at random
// moments, several times over the same database, and checks after each
// restart that sequence numbers are gap-free, every acknowledged event is
// there, and every payload is whole.
func TestPowerCutMidAppend(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped with -short")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	var acked uint64
	for round := 0; round < 8; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "OFFICINA_CRASH_CHILD="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		killAfter := 20 + rand.IntN(200)
		for i := 0; sc.Scan(); i++ {
			n, err := strconv.ParseUint(sc.Text(), 10, 64)
			if err != nil {
				t.Fatalf("child said %q", sc.Text())
			}
			acked = n
			if i == killAfter {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
		cmd.Wait()
		if acked == 0 {
			t.Fatalf("round %d: child acknowledged nothing; stderr: %s", round, stderr.String())
		}

		s, err := store.Open(context.Background(), path, "crash", store.Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		var want uint64 = 1
		for ev, err := range s.Events(context.Background(), 0) {
			if err != nil {
				t.Fatal(err)
			}
			if ev.Seq != want {
				t.Fatalf("round %d: seq %d follows %d: a gap", round, ev.Seq, want-1)
			}
			if len(ev.Payload) != 200 || binary.BigEndian.Uint64(ev.Payload[:8]) != ev.Seq {
				t.Fatalf("round %d: event %d has a torn payload", round, ev.Seq)
			}
			want++
		}
		if last := want - 1; last < acked {
			t.Fatalf("round %d: last stored seq %d, but %d was acknowledged: lost", round, last, acked)
		}
		s.Close()
	}
}
