package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/store"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func openTemp(t *testing.T, opts store.Options) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	if opts.Clock == nil {
		opts.Clock = clock.NewFake(t0)
	}
	s, err := store.Open(context.Background(), path, "ofc-test", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestAppendAndReadBack(t *testing.T) {
	ctx := context.Background()
	fc := clock.NewFake(t0)
	fc.SetSynced(false)
	s, _ := openTemp(t, store.Options{Clock: fc})
	for i := 0; i < 3; i++ {
		if err := s.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendJSON("ticket.taken", 1, map[string]int{"n": i + 1})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		fc.Advance(time.Minute)
	}
	var got []store.Event
	for ev, err := range s.Events(ctx, 1) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	if len(got) != 2 || got[0].Seq != 2 || got[1].Seq != 3 {
		t.Fatalf("events after 1 = %+v, want seqs 2 and 3", got)
	}
	if string(got[0].Payload) != `{"n":2}` || got[0].Kind != "ticket.taken" || got[0].DeviceID != "ofc-test" {
		t.Errorf("event 2 = %+v", got[0])
	}
	if !got[0].Time.Equal(t0.Add(time.Minute)) || got[0].ClockSynced {
		t.Errorf("event 2 time %v synced %v, want %v unsynced", got[0].Time, got[0].ClockSynced, t0.Add(time.Minute))
	}
}

func TestFailedWriteLeavesNothingAndNoGap(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, store.Options{})
	boom := errors.New("boom")
	err := s.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Append("a", 1, nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if err := s.Write(ctx, func(tx *store.Tx) error {
		ev, err := tx.Append("b", 1, nil)
		if err == nil && ev.Seq != 1 {
			t.Errorf("seq after rollback = %d, want 1 (no gap)", ev.Seq)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestAckBacklogAndPrune(t *testing.T) {
	ctx := context.Background()
	fc := clock.NewFake(t0)
	s, _ := openTemp(t, store.Options{Clock: fc})
	for i := 0; i < 10; i++ {
		s.Write(ctx, func(tx *store.Tx) error { _, err := tx.Append("x", 1, nil); return err })
	}
	if err := s.SetAcked(ctx, "hub", 11); err == nil {
		t.Error("ack past the last event was accepted")
	}
	if err := s.SetAcked(ctx, "hub", 6); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAcked(ctx, "hub", 4); err != nil { // a late, older ack
		t.Fatal(err)
	}
	if a, _ := s.Acked(ctx, "hub"); a != 6 {
		t.Errorf("acked = %d, want 6: an ack must never move backwards", a)
	}
	if b, _ := s.Backlog(ctx, "hub"); b != 4 {
		t.Errorf("backlog = %d, want 4", b)
	}
	n, err := s.PruneAcked(ctx, "hub", t0.Add(time.Second))
	if err != nil || n != 6 {
		t.Fatalf("pruned %d, %v; want 6", n, err)
	}
	if last, _ := s.LastSeq(ctx); last != 10 {
		t.Errorf("last seq after prune = %d, want 10", last)
	}
	s.Write(ctx, func(tx *store.Tx) error {
		ev, err := tx.Append("x", 1, nil)
		if ev.Seq != 11 {
			t.Errorf("seq after prune = %d, want 11", ev.Seq)
		}
		return err
	})
}

func TestReopenKeepsEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := store.Open(ctx, path, "d", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Write(ctx, func(tx *store.Tx) error { _, err := tx.Append("x", 1, []byte("hello")); return err })
	s.Close()
	s, err = store.Open(ctx, path, "d", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if last, _ := s.LastSeq(ctx); last != 1 {
		t.Fatalf("last seq after reopen = %d", last)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	v2 := store.Schema{Name: "demo", Migrations: []string{"CREATE TABLE a(x)", "CREATE TABLE b(x)"}}
	s, err := store.Open(ctx, path, "d", store.Options{Schemas: []store.Schema{v2}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	v1 := store.Schema{Name: "demo", Migrations: v2.Migrations[:1]}
	_, err = store.Open(ctx, path, "d", store.Options{Schemas: []store.Schema{v1}})
	if !errors.Is(err, store.ErrNewerSchema) {
		t.Fatalf("opening a newer database: err = %v, want ErrNewerSchema", err)
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("message %q does not tell the user why", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the newer database must be left in place: %v", err)
	}
}

func TestFailedMigrationAppliesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	bad := store.Schema{Name: "demo", Migrations: []string{"CREATE TABLE a(x)", "THIS IS NOT SQL"}}
	if _, err := store.Open(ctx, path, "d", store.Options{Schemas: []store.Schema{bad}}); err == nil {
		t.Fatal("a broken migration opened")
	}
	good := store.Schema{Name: "demo", Migrations: []string{"CREATE TABLE a(x)"}}
	s, err := store.Open(ctx, path, "d", store.Options{Schemas: []store.Schema{good}})
	if err != nil {
		t.Fatalf("after a failed migration the database must be as before: %v", err)
	}
	s.Close()
}

func TestSchemaFromFS(t *testing.T) {
	fsys := fstest.MapFS{
		"m/001_a.sql": {Data: []byte("CREATE TABLE a(x)")},
		"m/002_b.sql": {Data: []byte("CREATE TABLE b(x)")},
	}
	sc, err := store.SchemaFromFS("demo", fsys, "m")
	if err != nil || len(sc.Migrations) != 2 || sc.Migrations[1] != "CREATE TABLE b(x)" {
		t.Fatalf("schema = %+v, %v", sc, err)
	}
	fsys["m/004_d.sql"] = &fstest.MapFile{Data: []byte("x")}
	if _, err := store.SchemaFromFS("demo", fsys, "m"); err == nil {
		t.Error("a gap in migration numbers was accepted")
	}
}

func TestCorruptFileMovedAside(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	garbage := []byte("this is not a database, it is a shopping list\n")
	os.WriteFile(path, garbage, 0o600)
	s, err := store.Open(ctx, path, "d", store.Options{Clock: clock.NewFake(t0)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	aside := s.Recovered()
	if aside == "" || !strings.Contains(aside, ".corrupt-20260302T093000Z") {
		t.Fatalf("Recovered() = %q, want a timestamped path", aside)
	}
	if b, err := os.ReadFile(aside); err != nil || string(b) != string(garbage) {
		t.Errorf("the corrupt file was not kept intact at %s: %v", aside, err)
	}
	if err := s.Write(ctx, func(tx *store.Tx) error { _, err := tx.Append("x", 1, nil); return err }); err != nil {
		t.Errorf("fresh store not writable: %v", err)
	}
}

func TestCorruptPagesMovedAside(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := store.Open(ctx, path, "d", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Keep the header, wreck the schema page that follows it.
	b, _ := os.ReadFile(path)
	for i := 100; i < len(b) && i < 4096; i++ {
		b[i] = 0xA5
	}
	os.WriteFile(path, b, 0o600)
	s, err = store.Open(ctx, path, "d", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Recovered() == "" {
		t.Error("a database with a wrecked schema page was not detected")
	}
}

func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, store.Options{MaxPageCount: 12})
	big := make([]byte, 3000)
	var stored uint64
	var err error
	for i := 0; i < 200; i++ {
		var seq uint64
		err = s.Write(ctx, func(tx *store.Tx) error {
			ev, err := tx.Append("sensor.aggregate", 1, big)
			seq = ev.Seq
			return err
		})
		if err != nil {
			break
		}
		stored = seq // committed: Write returned nil
	}
	if !errors.Is(err, store.ErrDiskFull) {
		t.Fatalf("filling the disk gave %v, want ErrDiskFull", err)
	}
	if herr, _ := s.WriteHealth(); !errors.Is(herr, store.ErrDiskFull) {
		t.Errorf("WriteHealth() = %v, want the disk-full error reported", herr)
	}
	if last, err := s.LastSeq(ctx); err != nil || last != stored {
		t.Errorf("after a full disk, last seq = %d (%v), want %d: earlier events must survive", last, err, stored)
	}
	n := 0
	for _, err := range s.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if uint64(n) != stored {
		t.Errorf("read back %d events, want %d", n, stored)
	}
}

// TestAppendBatchBoundaries appends across the multi-row INSERT boundary,
// reads the log inside the same transaction, rolls a large batch back, and
// checks the numbering stays gap-free and every payload is the one appended.
func TestAppendBatchBoundaries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, store.Options{})
	err := s.Write(ctx, func(tx *store.Tx) error {
		for i := 1; i <= 300; i++ {
			ev, err := tx.Append("k", 1, []byte(fmt.Sprint(i)))
			if err != nil {
				return err
			}
			if ev.Seq != uint64(i) {
				return fmt.Errorf("append %d got seq %d", i, ev.Seq)
			}
			if i == 200 {
				var n int
				if err := tx.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
					return err
				}
				if n != 200 {
					return fmt.Errorf("inside the transaction, %d events visible after 200 appends", n)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := s.Write(ctx, func(tx *store.Tx) error {
		for i := 0; i < 500; i++ {
			if _, err := tx.Append("k", 1, nil); err != nil {
				return err
			}
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("rolled-back write returned %v", err)
	}
	var seq uint64
	if err := s.Write(ctx, func(tx *store.Tx) error {
		ev, err := tx.Append("k", 1, []byte("301"))
		seq = ev.Seq
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if seq != 301 {
		t.Errorf("after a rolled-back batch the next seq is %d, want 301", seq)
	}
	want := uint64(1)
	for ev, err := range s.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Seq != want || string(ev.Payload) != fmt.Sprint(want) {
			t.Fatalf("event %d: seq %d payload %q", want, ev.Seq, ev.Payload)
		}
		want++
	}
	if want != 302 {
		t.Errorf("read %d events, want 301", want-1)
	}
}

// The writer reuses prepared statements across transactions: the same
// statement must keep seeing the data as it is, after a rolled-back
// transaction, after the table changes shape, and when far more distinct
// statements run than the cache holds.
func TestPreparedStatementsAcrossTransactions(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, store.Options{})
	if err := s.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	insert := func(id int, body string) error {
		return s.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Append("note", 1, []byte(body)); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO notes(id, body) VALUES(?, ?)`, id, body)
			return err
		})
	}
	count := func() (n int) {
		if err := s.Write(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*) FROM notes`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := 1; i <= 3; i++ {
		if err := insert(i, fmt.Sprint("note ", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := insert(2, "again"); err == nil {
		t.Fatal("a repeated primary key was accepted")
	}
	if n := count(); n != 3 {
		t.Fatalf("%d notes after a failed insert, want 3", n)
	}
	if err := s.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := insert(4, "after the change"); err != nil {
		t.Fatal(err)
	}
	for i := range 400 { // more distinct statements than the cache keeps
		var v int
		if err := s.Write(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(fmt.Sprintf(`SELECT %d + COUNT(*) FROM notes`, i)).Scan(&v)
		}); err != nil || v != i+4 {
			t.Fatalf("statement %d: %d, %v", i, v, err)
		}
	}
	if n := count(); n != 4 {
		t.Fatalf("%d notes, want 4", n)
	}
	var seqs []uint64
	for ev, err := range s.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, ev.Seq)
	}
	if fmt.Sprint(seqs) != "[1 2 3 4]" {
		t.Fatalf("event numbers %v, want 1 to 4 with no gap", seqs)
	}
}

// A query run again while its rows are being read does not disturb them.
func TestQueryNestedInItsOwnRows(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t, store.Options{})
	for i := range 3 {
		if err := s.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Append("note", 1, []byte(fmt.Sprint(i)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	const q = `SELECT seq FROM events WHERE seq > ? ORDER BY seq`
	var pairs []string
	for range 2 { // the second time, any statement cached by the first is used
		pairs = pairs[:0]
		if err := s.Write(ctx, func(tx *store.Tx) error {
			rows, err := tx.Query(q, 0)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var a int
				if err := rows.Scan(&a); err != nil {
					return err
				}
				inner, err := tx.Query(q, a)
				if err != nil {
					return err
				}
				n := 0
				for inner.Next() {
					n++
				}
				inner.Close()
				pairs = append(pairs, fmt.Sprint(a, ":", n))
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(pairs, " "); got != "1:2 2:1 3:0" {
		t.Fatalf("outer:inner counts %q, want 1:2 2:1 3:0", got)
	}
}
