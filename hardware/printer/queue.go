package printer

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/officina-digitale/officina/hardware/escpos"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/fanout"
	"github.com/officina-digitale/officina/kiosk/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the print queue's table, to pass to store.Open.
func Schema() store.Schema { return store.MustSchemaFromFS("printer", migrations, "migrations") }

// State is where a job is in the queue.
type State string

// Job states. A job goes queued → printing → printed, or to cancelled.
const (
	Queued    State = "queued"
	Printing  State = "printing"
	Printed   State = "printed"
	Cancelled State = "cancelled"
)

// Job is one print job.
type Job struct {
	ID      int64
	Kind    string
	State   State
	Reason  string // why it waits or was cancelled, in plain words
	Created time.Time
	Updated time.Time
}

// Health is the printer's state for the status screen.
type Health struct {
	Address   string    `json:"address"`
	OK        bool      `json:"ok"`
	Problem   string    `json:"problem,omitempty"` // "paper out", "cover open", "not answering", …
	Error     string    `json:"error,omitempty"`
	PaperLow  bool      `json:"paper_low,omitempty"`
	Pending   int       `json:"pending"`
	LastPrint time.Time `json:"last_print,omitzero"`
	Checked   time.Time `json:"checked,omitzero"`
}

// Options configure a Printer.
type Options struct {
	Address string
	Paper   escpos.Paper
	// MaxWait is how long a job may wait for the printer (paper out, cover
	// open, unplugged) before it is cancelled. 0 means 15 minutes.
	MaxWait time.Duration
	// Retry is how often a waiting queue tries the printer again. 0 means 5 s.
	Retry time.Duration
	// Dial opens the printer; nil means Dial.
	Dial func(ctx context.Context, address string) (Conn, error)
	// Notify, if set, is called after every change of a job's state, from
	// Run's goroutine or Print's caller. It must not block.
	Notify func(Job)
}

// Printer is the kiosk's printer with its durable queue. Print enqueues;
// Run prints. Run one Printer per store: two would both take the queue.
type Printer struct {
	st   *store.Store
	clk  clock.Clock
	opts Options
	wake chan struct{}

	mu     sync.Mutex
	health Health
	fan    fanout.Fanout[Job]
}

// New returns a printer whose queue lives in st. st must have been opened
// with Schema().
func New(st *store.Store, clk clock.Clock, opts Options) *Printer {
	if opts.MaxWait <= 0 {
		opts.MaxWait = 15 * time.Minute
	}
	if opts.Retry <= 0 {
		opts.Retry = 5 * time.Second
	}
	if opts.Dial == nil {
		opts.Dial = Dial
	}
	if opts.Paper.Columns == 0 {
		opts.Paper = escpos.Paper80
	}
	return &Printer{st: st, clk: clk, opts: opts, wake: make(chan struct{}, 1),
		health: Health{Address: opts.Address, OK: true}}
}

// Paper returns the paper width the printer lays documents out for.
func (p *Printer) Paper() escpos.Paper { return p.opts.Paper }

// Print encodes doc and queues it durably. The job prints when Run reaches
// the printer; its progress is reported through Options.Notify and Job.
func (p *Printer) Print(ctx context.Context, doc Document) (Job, error) {
	data, err := doc.Encode(p.opts.Paper)
	if err != nil {
		return Job{}, fmt.Errorf("printer: %s: %w", doc.Kind(), err)
	}
	now := p.clk.Now()
	j := Job{Kind: doc.Kind(), State: Queued, Created: now, Updated: now}
	err = p.st.Write(ctx, func(tx *store.Tx) error {
		r, err := tx.Exec(`INSERT INTO print_jobs(kind, data, state, created_ms, updated_ms) VALUES(?, ?, 'queued', ?, ?)`,
			j.Kind, data, now.UnixMilli(), now.UnixMilli())
		if err != nil {
			return err
		}
		j.ID, err = r.LastInsertId()
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("printer: queue %s: %w", j.Kind, err)
	}
	p.notify(j)
	p.Kick()
	return j, nil
}

// Kick makes Run try the printer now (after paper is replaced, say).
func (p *Printer) Kick() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Job returns one job.
func (p *Printer) Job(ctx context.Context, id int64) (Job, error) {
	var j Job
	var c, u int64
	err := p.st.DB().QueryRowContext(ctx, `SELECT id, kind, state, reason, created_ms, updated_ms FROM print_jobs WHERE id = ?`, id).
		Scan(&j.ID, &j.Kind, &j.State, &j.Reason, &c, &u)
	if err != nil {
		return Job{}, fmt.Errorf("printer: job %d: %w", id, err)
	}
	j.Created, j.Updated = time.UnixMilli(c), time.UnixMilli(u)
	return j, nil
}

// Cancel cancels a job that has not started printing.
func (p *Printer) Cancel(ctx context.Context, id int64, reason string) error {
	ok, err := p.setState(ctx, id, Queued, Cancelled, reason)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("printer: job %d is no longer queued", id)
	}
	return nil
}

// Health returns the printer's last known state.
func (p *Printer) Health() Health {
	p.mu.Lock()
	h := p.health
	p.mu.Unlock()
	var n int
	p.st.DB().QueryRow(`SELECT count(*) FROM print_jobs WHERE state = 'queued'`).Scan(&n)
	h.Pending = n
	return h
}

// Subscribe returns a channel of job changes (queued, printing, printed,
// cancelled with its reason) for the UI to tell people what happens to
// their ticket, and a function that ends the subscription. A subscriber
// that does not keep up misses changes rather than stall printing.
func (p *Printer) Subscribe(buffer int) (<-chan Job, func()) {
	return p.fan.Subscribe(buffer)
}

func (p *Printer) setHealth(fn func(h *Health)) {
	p.mu.Lock()
	fn(&p.health)
	p.health.Checked = p.clk.Now()
	p.mu.Unlock()
}

func (p *Printer) notify(j Job) {
	if p.opts.Notify != nil {
		p.opts.Notify(j)
	}
	p.fan.Send(j)
}

// KeepJobs is how long printed and cancelled jobs stay in the queue table.
const KeepJobs = 7 * 24 * time.Hour

func (p *Printer) prune(ctx context.Context) error {
	return p.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`DELETE FROM print_jobs WHERE state IN ('printed', 'cancelled') AND updated_ms < ?`,
			p.clk.Now().Add(-KeepJobs).UnixMilli())
		return err
	})
}

// setState moves a job from one state to another; false if it was not in
// from.
func (p *Printer) setState(ctx context.Context, id int64, from, to State, reason string) (bool, error) {
	now := p.clk.Now()
	var moved bool
	err := p.st.Write(ctx, func(tx *store.Tx) error {
		r, err := tx.Exec(`UPDATE print_jobs SET state = ?, reason = ?, updated_ms = ? WHERE id = ? AND state = ?`,
			string(to), reason, now.UnixMilli(), id, string(from))
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		moved = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("printer: job %d %s → %s: %w", id, from, to, err)
	}
	if moved {
		if j, err := p.Job(ctx, id); err == nil {
			p.notify(j)
		}
	}
	return moved, nil
}

// Run prints queued jobs until ctx is done. A job left "printing" by a
// crash or power cut is cancelled, not printed again: the printer may
// already have printed it.
func (p *Printer) Run(ctx context.Context) error {
	if err := p.recover(ctx); err != nil {
		return err
	}
	if err := p.prune(ctx); err != nil {
		return fmt.Errorf("printer: prune old jobs: %w", err)
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		waiting, err := p.drain(ctx)
		if err != nil && ctx.Err() == nil && errors.Is(err, store.ErrClosed) {
			return err
		}
		next := p.opts.Retry
		if !waiting {
			next = time.Hour
		}
		t.Reset(next)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.wake:
		case <-t.C:
		}
	}
}

func (p *Printer) recover(ctx context.Context) error {
	rows, err := p.st.DB().QueryContext(ctx, `SELECT id FROM print_jobs WHERE state = 'printing'`)
	if err != nil {
		return fmt.Errorf("printer: recover queue: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if _, err := p.setState(ctx, id, Printing, Cancelled,
			"the kiosk stopped while this was printing: it may have printed; print it again if it did not"); err != nil {
			return err
		}
	}
	return nil
}

type queued struct {
	id      int64
	data    []byte
	created time.Time
}

func (p *Printer) next(ctx context.Context) (*queued, error) {
	var q queued
	var c int64
	err := p.st.DB().QueryRowContext(ctx, `SELECT id, data, created_ms FROM print_jobs WHERE state = 'queued' ORDER BY id LIMIT 1`).
		Scan(&q.id, &q.data, &c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("printer: read queue: %w", err)
	}
	q.created = time.UnixMilli(c)
	return &q, nil
}

// drain prints what it can; it reports whether jobs are left waiting.
func (p *Printer) drain(ctx context.Context) (bool, error) {
	var conn Conn
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for {
		q, err := p.next(ctx)
		if err != nil || q == nil {
			return false, err
		}
		problem := ""
		if conn == nil {
			conn, problem = p.open(ctx)
		}
		if problem == "" {
			problem = p.check(ctx, conn)
		}
		if problem != "" {
			if conn != nil {
				conn.Close()
				conn = nil
			}
			if age := p.clk.Now().Sub(q.created); age >= p.opts.MaxWait {
				reason := fmt.Sprintf("not printed: the printer was not ready for %s (%s)", p.opts.MaxWait, problem)
				if _, err := p.setState(ctx, q.id, Queued, Cancelled, reason); err != nil {
					return true, err
				}
				continue
			}
			return true, nil
		}
		if ok, err := p.setState(ctx, q.id, Queued, Printing, ""); err != nil || !ok {
			if err != nil {
				return true, err
			}
			continue // cancelled meanwhile
		}
		n, werr := conn.Write(q.data)
		switch {
		case werr == nil:
			if _, err := p.setState(ctx, q.id, Printing, Printed, ""); err != nil {
				return true, err
			}
			p.setHealth(func(h *Health) { h.OK, h.Problem, h.Error, h.LastPrint = true, "", "", p.clk.Now() })
		case n == 0:
			// Nothing reached the printer: it may print on the next try.
			if _, err := p.setState(ctx, q.id, Printing, Queued, "waiting for the printer: "+werr.Error()); err != nil {
				return true, err
			}
			p.setHealth(func(h *Health) { h.OK, h.Problem, h.Error = false, "not answering", werr.Error() })
			return true, nil
		default:
			// Part of it reached the printer; printing it again would
			// print twice.
			if _, err := p.setState(ctx, q.id, Printing, Cancelled,
				fmt.Sprintf("the printer stopped after %d of %d bytes: %v; print it again", n, len(q.data), werr)); err != nil {
				return true, err
			}
			p.setHealth(func(h *Health) { h.OK, h.Problem, h.Error = false, "stopped mid-job", werr.Error() })
			conn.Close()
			conn = nil
		}
	}
}

func (p *Printer) open(ctx context.Context) (Conn, string) {
	c, err := p.opts.Dial(ctx, p.opts.Address)
	if err != nil {
		p.setHealth(func(h *Health) { h.OK, h.Problem, h.Error = false, "not connected", err.Error() })
		return nil, "not connected: " + err.Error()
	}
	return c, ""
}

// check asks the printer's status and returns the problem, "" if ready.
func (p *Printer) check(ctx context.Context, c Conn) string {
	st, err := c.Status(ctx)
	switch {
	case errors.Is(err, ErrNoStatus):
		return ""
	case err != nil:
		p.setHealth(func(h *Health) { h.OK, h.Problem, h.Error = false, "not answering", err.Error() })
		return "not answering"
	case st.PaperOut:
		p.setHealth(func(h *Health) { h.OK, h.Problem, h.Error, h.PaperLow = false, "paper out", "", true })
		return "paper out"
	case st.CoverOpen:
		p.setHealth(func(h *Health) { h.OK, h.Problem, h.Error = false, "cover open", "" })
		return "cover open"
	}
	p.setHealth(func(h *Health) { h.OK, h.Problem, h.Error, h.PaperLow = true, "", "", st.PaperLow })
	return ""
}
