package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/officina-digitale/officina/hardware/escpos"
	"github.com/officina-digitale/officina/hardware/internal/ptytest"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/store"
)

func openStore(t *testing.T, clk clock.Clock, path string) *store.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "k.db")
	}
	st, err := store.Open(context.Background(), path, "dev-test", store.Options{Clock: clk, Schemas: []store.Schema{Schema()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fakeConn is a printer under the test's control.
type fakeConn struct {
	mu       sync.Mutex
	out      bytes.Buffer
	status   escpos.Status
	statErr  error
	writeErr error
	partial  int // bytes accepted before writeErr
}

func (f *fakeConn) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.writeErr != nil {
		n := min(f.partial, len(b))
		f.out.Write(b[:n])
		return n, f.writeErr
	}
	return f.out.Write(b)
}
func (f *fakeConn) Status(context.Context) (escpos.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status, f.statErr
}
func (f *fakeConn) Close() error   { return nil }
func (f *fakeConn) String() string { return "fake" }
func (f *fakeConn) set(fn func(f *fakeConn)) {
	f.mu.Lock()
	fn(f)
	f.mu.Unlock()
}
func (f *fakeConn) printed() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]byte(nil), f.out.Bytes()...)
}

// harness runs a Printer and reports each job change on a channel.
type harness struct {
	p       *Printer
	changes chan Job
	clk     *clock.Fake
}

func start(t *testing.T, st *store.Store, clk *clock.Fake, conn *fakeConn) *harness {
	t.Helper()
	h := &harness{changes: make(chan Job, 64), clk: clk}
	h.p = New(st, clk, Options{
		Address: "fake", Paper: escpos.Paper58, MaxWait: 10 * time.Minute, Retry: time.Hour,
		Dial:   func(context.Context, string) (Conn, error) { return conn, nil },
		Notify: func(j Job) { h.changes <- j },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

func (h *harness) waitFor(t *testing.T, id int64, s State) Job {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case j := <-h.changes:
			if j.ID == id && j.State == s {
				return j
			}
		case <-timeout:
			j, _ := h.p.Job(context.Background(), id)
			t.Fatalf("job %d never reached %s; it is %s (%s)", id, s, j.State, j.Reason)
		}
	}
}

var now = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func TestPrintsAJobOnce(t *testing.T) {
	clk := clock.NewFake(now)
	conn := &fakeConn{}
	h := start(t, openStore(t, clk, ""), clk, conn)
	j, err := h.p.Print(context.Background(), Samples("Berio", now)["ticket"])
	if err != nil {
		t.Fatal(err)
	}
	h.waitFor(t, j.ID, Printed)
	ops, err := escpos.Decode(conn.printed())
	if err != nil {
		t.Fatalf("printer received a malformed job: %v", err)
	}
	if !strings.Contains(strings.Join(escpos.Lines(ops), "\n"), "A042") {
		t.Errorf("ticket number missing: %q", escpos.Lines(ops))
	}
	h.p.Kick()
	h.p.Kick()
	if _, err := h.p.Print(context.Background(), Ticket{Number: "A043"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor(t, j.ID+1, Printed)
	if n := bytes.Count(conn.printed(), []byte("A042")); n != 1 {
		t.Errorf("A042 printed %d times", n)
	}
}

func TestPaperOutWaitsThenPrintsWhenPaperIsBack(t *testing.T) {
	clk := clock.NewFake(now)
	conn := &fakeConn{status: escpos.Status{PaperOut: true}}
	h := start(t, openStore(t, clk, ""), clk, conn)
	j, err := h.p.Print(context.Background(), Ticket{Number: "B007"})
	if err != nil {
		t.Fatal(err)
	}
	// Run has looked at the printer once Health says so.
	for h.p.Health().Problem != "paper out" {
		h.p.Kick()
		select {
		case <-h.changes:
		case <-time.After(10 * time.Millisecond):
		}
	}
	if got, _ := h.p.Job(context.Background(), j.ID); got.State != Queued {
		t.Fatalf("job is %s during paper-out, want queued", got.State)
	}
	if len(conn.printed()) != 0 {
		t.Fatal("bytes sent to a printer without paper")
	}
	conn.set(func(f *fakeConn) { f.status = escpos.Status{} })
	h.p.Kick()
	h.waitFor(t, j.ID, Printed)
	if hl := h.p.Health(); !hl.OK || hl.Pending != 0 {
		t.Errorf("health after printing: %+v", hl)
	}
}

func TestWaitingTooLongCancelsWithAClearMessage(t *testing.T) {
	clk := clock.NewFake(now)
	conn := &fakeConn{status: escpos.Status{CoverOpen: true}}
	h := start(t, openStore(t, clk, ""), clk, conn)
	j, _ := h.p.Print(context.Background(), Ticket{Number: "C001"})
	clk.Advance(11 * time.Minute)
	h.p.Kick()
	got := h.waitFor(t, j.ID, Cancelled)
	if !strings.Contains(got.Reason, "cover open") {
		t.Errorf("reason %q does not say what was wrong", got.Reason)
	}
	if len(conn.printed()) != 0 {
		t.Error("a cancelled job reached the printer")
	}
}

func TestPrinterThatStopsAnsweringKeepsTheJob(t *testing.T) {
	clk := clock.NewFake(now)
	conn := &fakeConn{statErr: ErrNoAnswer}
	h := start(t, openStore(t, clk, ""), clk, conn)
	j, _ := h.p.Print(context.Background(), Ticket{Number: "D001"})
	for h.p.Health().Problem != "not answering" {
		h.p.Kick()
		select {
		case <-h.changes:
		case <-time.After(10 * time.Millisecond):
		}
	}
	conn.set(func(f *fakeConn) { f.statErr = nil })
	h.p.Kick()
	h.waitFor(t, j.ID, Printed)
}

func TestWriteFailureMidJobIsNotPrintedTwice(t *testing.T) {
	clk := clock.NewFake(now)
	conn := &fakeConn{writeErr: io.ErrClosedPipe, partial: 10}
	h := start(t, openStore(t, clk, ""), clk, conn)
	j, _ := h.p.Print(context.Background(), Ticket{Number: "E001"})
	got := h.waitFor(t, j.ID, Cancelled)
	if !strings.Contains(got.Reason, "print it again") {
		t.Errorf("reason %q", got.Reason)
	}
	// Nothing sent at all: the job stays queued and prints later.
	conn.set(func(f *fakeConn) { f.partial = 0 })
	j2, _ := h.p.Print(context.Background(), Ticket{Number: "E002"})
	for h.p.Health().Problem != "not answering" {
		h.p.Kick()
		select {
		case <-h.changes:
		case <-time.After(10 * time.Millisecond):
		}
	}
	conn.set(func(f *fakeConn) { f.writeErr = nil })
	h.p.Kick()
	h.waitFor(t, j2.ID, Printed)
	if bytes.Count(conn.printed(), []byte("E001")) != 0 {
		t.Error("the interrupted job was sent again")
	}
}

func TestQueueSurvivesRestartAndNeverReprintsAnInterruptedJob(t *testing.T) {
	clk := clock.NewFake(now)
	path := filepath.Join(t.TempDir(), "k.db")
	st := openStore(t, clk, path)
	p := New(st, clk, Options{Paper: escpos.Paper58})
	queued, _ := p.Print(context.Background(), Ticket{Number: "F001"})
	inflight, _ := p.Print(context.Background(), Ticket{Number: "F002"})
	// Power cut after F002 was marked printing.
	if ok, err := p.setState(context.Background(), inflight.ID, Queued, Printing, ""); !ok || err != nil {
		t.Fatal(ok, err)
	}
	st.Close()

	conn := &fakeConn{}
	h := start(t, openStore(t, clk, path), clk, conn)
	h.waitFor(t, queued.ID, Printed)
	j, _ := h.p.Job(context.Background(), inflight.ID)
	if j.State != Cancelled || !strings.Contains(j.Reason, "may have printed") {
		t.Errorf("interrupted job: %+v", j)
	}
	out := conn.printed()
	if !bytes.Contains(out, []byte("F001")) || bytes.Contains(out, []byte("F002")) {
		t.Errorf("after restart printed %q", escpos.DecodePC858(out))
	}
}

// runPrinter runs p until the returned stop function is called.
func runPrinter(p *Printer) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// waitPrinted reads ch until job id is printed.
func waitPrinted(t *testing.T, ch <-chan Job, id int64) []State {
	t.Helper()
	var states []State
	timeout := time.After(10 * time.Second)
	for {
		select {
		case j := <-ch:
			if j.ID != id {
				continue
			}
			states = append(states, j.State)
			if j.State == Printed {
				return states
			}
		case <-timeout:
			t.Fatalf("job %d not printed; saw %v", id, states)
		}
	}
}

func TestSubscribeAndPruneOldJobs(t *testing.T) {
	clk := clock.NewFake(now)
	st := openStore(t, clk, "")
	conn := &fakeConn{}
	dial := func(context.Context, string) (Conn, error) { return conn, nil }
	p1 := New(st, clk, Options{Dial: dial})
	stop1 := runPrinter(p1)
	changes, cancel := p1.Subscribe(8)
	j, _ := p1.Print(context.Background(), Ticket{Number: "H001"})
	if states := waitPrinted(t, changes, j.ID); fmt.Sprint(states) != "[queued printing printed]" {
		t.Errorf("subscriber saw %v", states)
	}
	cancel()
	stop1()

	// A week later the next Run prunes the printed job before printing.
	clk.Advance(KeepJobs + time.Hour)
	p2 := New(st, clk, Options{Dial: dial})
	ch2, cancel2 := p2.Subscribe(8)
	defer cancel2()
	stop2 := runPrinter(p2)
	j2, _ := p2.Print(context.Background(), Ticket{Number: "H002"})
	waitPrinted(t, ch2, j2.ID)
	stop2()
	if _, err := p2.Job(context.Background(), j.ID); err == nil {
		t.Error("a week-old printed job is still in the queue table")
	}
	if _, err := p2.Job(context.Background(), j2.ID); err != nil {
		t.Errorf("the new job was pruned: %v", err)
	}
}

func TestFileTransportAppendsInspectableBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "printer.bin")
	for i := 0; i < 2; i++ {
		c, err := Dial(context.Background(), "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Ticket{Number: "G00" + string(rune('1'+i))}.Encode(escpos.Paper80)
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Status(context.Background()); !errors.Is(err, ErrNoStatus) {
			t.Errorf("file status: %v", err)
		}
		c.Close()
	}
	data, _ := os.ReadFile(path)
	ops, err := escpos.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	l := strings.Join(escpos.Lines(ops), "|")
	if !strings.Contains(l, "G001") || !strings.Contains(l, "G002") {
		t.Errorf("file holds %q", l)
	}
}

// fakeNetworkPrinter answers DLE EOT like a TM-T20 on port 9100.
func fakeNetworkPrinter(t *testing.T, paper byte, answer bool) (addr string, got chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var all []byte
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			for i := 0; i < n; i++ {
				if i+2 < n && buf[i] == 0x10 && buf[i+1] == 0x04 && answer {
					switch buf[i+2] {
					case 2:
						c.Write([]byte{0x12})
					case 4:
						c.Write([]byte{paper})
					}
				}
			}
			all = append(all, buf[:n]...)
			if err != nil {
				got <- all
				return
			}
		}
	}()
	return "tcp:" + ln.Addr().String(), got
}

func TestNetworkPrinterStatus(t *testing.T) {
	addr, _ := fakeNetworkPrinter(t, 0x12|0x60, true)
	c, err := Dial(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, err := c.Status(context.Background())
	if err != nil || !st.PaperOut {
		t.Errorf("status %+v, %v; want paper out", st, err)
	}
}

func TestNetworkPrinterThatDoesNotAnswer(t *testing.T) {
	addr, _ := fakeNetworkPrinter(t, 0, false)
	c, err := Dial(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := c.Status(ctx); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("got %v, want ErrNoAnswer", err)
	}
}

func TestBadAddresses(t *testing.T) {
	for _, a := range []string{"", "lp0", "serial:", "serial:/dev/ttyS0?baud=fast", "file:"} {
		if err := CheckAddress(a); err == nil {
			t.Errorf("CheckAddress(%q) accepted it", a)
		}
	}
	if _, err := Dial(context.Background(), "tcp:127.0.0.1:1"); err == nil {
		t.Error("dialled a closed port")
	}
	for _, a := range []string{"file:/tmp/x.bin", "/dev/usb/lp0", "serial:/dev/ttyUSB0?baud=19200", "tcp:10.0.0.5", "tcp:10.0.0.5:9100"} {
		if err := CheckAddress(a); err != nil {
			t.Errorf("CheckAddress(%q): %v", a, err)
		}
	}
}

func TestLayoutsDecodeAndFit(t *testing.T) {
	for _, p := range []escpos.Paper{escpos.Paper58, escpos.Paper80} {
		for name, d := range Samples("Biblioteca civica Berio", now) {
			b, err := d.Encode(p)
			if err != nil {
				t.Fatalf("%s %s: %v", name, p.Name, err)
			}
			ops, err := escpos.Decode(b)
			if err != nil {
				t.Fatalf("%s %s: %v", name, p.Name, err)
			}
			text := strings.Join(escpos.Lines(ops), "\n")
			if strings.Contains(text, "?") {
				t.Errorf("%s %s: unprintable character in %q", name, p.Name, text)
			}
			var qr, cut bool
			for _, o := range ops {
				qr = qr || o.Name == "qr.print"
				cut = cut || o.Name == "cut"
			}
			if !cut {
				t.Errorf("%s %s: no cut", name, p.Name)
			}
			if name != "ticket" && !qr {
				t.Errorf("%s %s: no QR code", name, p.Name)
			}
		}
	}
	if _, err := (Certificate{Citizen: "X"}).Encode(escpos.Paper80); err == nil {
		t.Error("certificate without course accepted")
	}
	if got := Euro(123450); got != "1.234,50 €" {
		t.Errorf("Euro = %q", got)
	}
}

// TestSerialPrinterOnAPseudoTerminal plays a serial receipt printer on a
// pseudo-terminal: it answers DLE EOT with "paper near end", takes a job,
// then stops answering.
func TestSerialPrinterOnAPseudoTerminal(t *testing.T) {
	master, path := ptytest.Open(t)
	got := make(chan []byte, 16)
	answer := make(chan bool, 1)
	answer <- true
	go func() {
		buf := make([]byte, 4096)
		on := true
		for {
			n, err := master.Read(buf)
			if err != nil {
				return
			}
			select {
			case on = <-answer:
			default:
			}
			b := append([]byte(nil), buf[:n]...)
			for i := 0; i+2 < len(b); i++ {
				if b[i] == 0x10 && b[i+1] == 0x04 && on {
					reply := byte(0x12)
					if b[i+2] == 4 {
						reply |= 0x0C // paper near end
					}
					master.Write([]byte{reply})
				}
			}
			got <- b
		}
	}()
	c, err := Dial(context.Background(), "serial:"+path+"?baud=19200")
	if err != nil {
		t.Skipf("pty as serial port: %v", err)
	}
	defer c.Close()
	st, err := c.Status(context.Background())
	if err != nil || st.PaperOut || !st.PaperLow {
		t.Fatalf("status %+v, %v; want ready with paper low", st, err)
	}
	job, _ := Ticket{Number: "S001"}.Encode(escpos.Paper58)
	if _, err := c.Write(job); err != nil {
		t.Fatal(err)
	}
	var all []byte
	deadline := time.After(5 * time.Second)
	for !bytes.Contains(all, []byte("S001")) {
		select {
		case b := <-got:
			all = append(all, b...)
		case <-deadline:
			t.Fatalf("the printer received %q", all)
		}
	}
	answer <- false
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.Status(ctx); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("a printer that stopped answering gave %v", err)
	}
}
