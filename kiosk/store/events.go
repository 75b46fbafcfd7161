package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
)

// Event is one immutable fact in the log. Its identity is (DeviceID, Seq).
type Event struct {
	DeviceID    string
	Seq         uint64
	Kind        string    // e.g. "service.recorded"
	Version     int       // payload schema version for Kind
	Payload     []byte    // usually JSON, owned by the package that defines Kind
	Time        time.Time // device wall clock when appended
	ClockSynced bool      // whether that clock was synced
}

// Tx is a write transaction. Appends and view updates made through one Tx
// commit or roll back together.
//
// Appends are numbered at once (the Tx reads the last sequence number on its
// first Append and counts on from it, under the write lock) and written in
// multi-row INSERTs: when appendBatch rows are waiting, before any Exec or
// Query through the Tx, and at commit. Either way they are in the same SQLite
// transaction as the view updates.
type Tx struct {
	s       *Store
	tx      *sql.Tx
	ctx     context.Context
	synced  *bool // clock state, asked once per transaction
	next    int64 // next sequence number; 0 until the first Append
	pending []pendingEvent
	failed  error // a flush that failed where it could not be returned
	// unprepared are statements run in this Tx that the store has not
	// prepared yet; it prepares them after the commit.
	unprepared []string
	bound      map[string]*sql.Stmt // the store's statements bound to this Tx
}

// maxPrepared bounds the writer's statement cache, in case some caller
// builds statements on the fly.
const maxPrepared = 256

// prepared returns the store's prepared statement for query, bound to this
// Tx, or nil if there is none yet (then query is noted, to be prepared once
// the Tx is over: the writer's only connection is busy meanwhile). SQLite
// spends more time parsing and planning a small statement than running it,
// so every Tx after the first skips that.
func (t *Tx) prepared(query string) *sql.Stmt {
	if st := t.bound[query]; st != nil {
		return st
	}
	if st := t.s.stmts[query]; st != nil {
		// Bound once per Tx: a Tx that runs a statement many times (an
		// import) holds one binding, not one per run.
		if t.bound == nil {
			t.bound = map[string]*sql.Stmt{}
		}
		b := t.tx.StmtContext(t.ctx, st)
		t.bound[query] = b
		return b
	}
	if len(t.s.stmts)+len(t.unprepared) < maxPrepared && !slices.Contains(t.unprepared, query) {
		t.unprepared = append(t.unprepared, query)
	}
	return nil
}

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	if st := t.prepared(query); st != nil {
		return st.ExecContext(t.ctx, args...)
	}
	return t.tx.ExecContext(t.ctx, query, args...)
}

func (t *Tx) queryRow(query string, args ...any) *sql.Row {
	if st := t.prepared(query); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// prepare adds queries to the statement cache. The caller holds s.mu and
// no transaction is open. A statement that fails to prepare is left out;
// running it will give the error.
func (s *Store) prepare(ctx context.Context, queries []string) {
	for _, q := range queries {
		if _, ok := s.stmts[q]; ok || len(s.stmts) >= maxPrepared {
			continue
		}
		if st, err := s.wdb.PrepareContext(ctx, q); err == nil {
			s.stmts[q] = st
		}
	}
}

type pendingEvent struct {
	seq     int64
	kind    string
	version int
	payload []byte
	wallMS  int64
	synced  int
}

// appendBatch rows go in one INSERT (6 parameters each, well under SQLite's
// limit of 32766).
const appendBatch = 128

// Write runs fn in a write transaction and commits it durably if fn returns
// nil. Writes are serialised: one runs at a time, so none fails with
// SQLITE_BUSY. If fn returns an error or panics, nothing it did is kept.
func (s *Store) Write(ctx context.Context, fn func(tx *Tx) error) error {
	err := s.write(ctx, fn)
	s.noteWrite(err)
	return err
}

func (s *Store) write(ctx context.Context, fn func(tx *Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	sqlTx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", classify(err))
	}
	defer sqlTx.Rollback()
	tx := &Tx{s: s, tx: sqlTx, ctx: ctx}
	if err := fn(tx); err != nil {
		return err
	}
	if tx.failed != nil {
		return tx.failed
	}
	if err := tx.flush(); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", classify(err))
	}
	s.prepare(ctx, tx.unprepared)
	return nil
}

// Append adds an event of the given kind and payload version to the log and
// returns it with its sequence number.
func (t *Tx) Append(kind string, version int, payload []byte) (Event, error) {
	if kind == "" {
		return Event{}, errors.New("store: append: empty event kind")
	}
	if payload == nil {
		payload = []byte{}
	}
	now := t.s.clock.Now()
	if t.synced == nil {
		v := t.s.clock.Synced()
		t.synced = &v
	}
	synced := *t.synced
	if t.next == 0 {
		// sqlite_sequence keeps the highest seq ever used, even after the
		// rows are pruned, so numbering never reuses or skips a number.
		var last int64
		err := t.queryRow(`SELECT seq FROM sqlite_sequence WHERE name = 'events'`).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Event{}, fmt.Errorf("store: append %s: %w", kind, classify(err))
		}
		t.next = last + 1
	}
	wall := now.UnixMilli()
	ev := pendingEvent{seq: t.next, kind: kind, version: version, payload: payload, wallMS: wall, synced: boolInt(synced)}
	t.pending = append(t.pending, ev)
	t.next++
	if len(t.pending) >= appendBatch {
		if err := t.flush(); err != nil {
			return Event{}, err
		}
	}
	return Event{
		DeviceID: t.s.device, Seq: uint64(ev.seq), Kind: kind, Version: version,
		Payload: payload, Time: time.UnixMilli(wall), ClockSynced: synced,
	}, nil
}

// flush writes the pending appends.
func (t *Tx) flush() error {
	for len(t.pending) > 0 {
		n := min(len(t.pending), appendBatch)
		rows := t.pending[:n]
		args := make([]any, 0, 6*n)
		for _, e := range rows {
			args = append(args, e.seq, e.kind, e.version, e.payload, e.wallMS, e.synced)
		}
		// Only the two common shapes go through the statement cache: a full
		// batch and a single event. Other sizes are one-offs, and caching
		// each of the 126 would crowd the areas' statements out of it.
		exec := t.exec
		if n != 1 && n != appendBatch {
			exec = func(q string, args ...any) (sql.Result, error) { return t.tx.ExecContext(t.ctx, q, args...) }
		}
		if _, err := exec(insertEvents(n), args...); err != nil {
			return fmt.Errorf("store: append %s: %w", rows[0].kind, classify(err))
		}
		t.pending = t.pending[n:]
	}
	t.pending = nil
	return nil
}

func insertEvents(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO events(seq, kind, version, payload, wall_ms, clock_synced) VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?)")
	}
	return b.String()
}

// AppendJSON marshals v as the payload and appends it.
func (t *Tx) AppendJSON(kind string, version int, v any) (Event, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Event{}, fmt.Errorf("store: append %s: encode payload: %w", kind, err)
	}
	return t.Append(kind, version, b)
}

// Exec runs a statement on a view table inside the transaction.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	r, err := t.exec(query, args...)
	return r, classify(err)
}

// QueryRow reads inside the transaction, seeing its own uncommitted writes.
// Its statement is prepared once per store, so Scan the row before running
// the same query text again.
// Pending appends are written first; if that fails, the error is returned
// by Write and nothing is committed.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	if err := t.flush(); err != nil {
		t.failed = err
	}
	return t.queryRow(query, args...)
}

// Query reads inside the transaction.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	// Not from the statement cache: a caller may run the same query again
	// while iterating these rows, and a cached statement has one cursor.
	r, err := t.tx.QueryContext(t.ctx, query, args...)
	return r, classify(err)
}

// Now returns the store clock's time, for view rows stamped in this Tx.
func (t *Tx) Now() time.Time { return t.s.clock.Now() }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LastSeq returns the highest sequence number ever appended (0 for none).
// It stays correct after acknowledged events are pruned.
func (s *Store) LastSeq(ctx context.Context) (uint64, error) {
	var seq sql.NullInt64
	err := s.rdb.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'events'`).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: last seq: %w", classify(err))
	}
	return uint64(seq.Int64), nil
}

// Events yields the events with sequence numbers above after, in order,
// reading them in pages so that a large backlog is never held in memory.
// Stop ranging to stop reading. An error ends the sequence.
func (s *Store) Events(ctx context.Context, after uint64) iter.Seq2[Event, error] {
	const page = 512
	return func(yield func(Event, error) bool) {
		batch := make([]Event, 0, page) // reused page after page
		for {
			rows, err := s.rdb.QueryContext(ctx,
				`SELECT seq, kind, version, payload, wall_ms, clock_synced FROM events WHERE seq > ? ORDER BY seq LIMIT ?`,
				int64(after), page)
			if err != nil {
				yield(Event{}, fmt.Errorf("store: read events: %w", classify(err)))
				return
			}
			batch = batch[:0]
			for rows.Next() {
				var ev Event
				var seq, ms int64
				var synced int
				if err := rows.Scan(&seq, &ev.Kind, &ev.Version, &ev.Payload, &ms, &synced); err != nil {
					rows.Close()
					yield(Event{}, fmt.Errorf("store: read events: %w", classify(err)))
					return
				}
				ev.DeviceID, ev.Seq, ev.Time, ev.ClockSynced = s.device, uint64(seq), time.UnixMilli(ms), synced == 1
				batch = append(batch, ev)
			}
			err = rows.Close()
			if err == nil {
				err = rows.Err()
			}
			if err != nil {
				yield(Event{}, fmt.Errorf("store: read events: %w", classify(err)))
				return
			}
			for _, ev := range batch {
				if !yield(ev, nil) {
					return
				}
				after = ev.Seq
			}
			if len(batch) < page {
				return
			}
		}
	}
}

// Acked returns the highest sequence number that dest (e.g. "hub") has
// acknowledged storing.
func (s *Store) Acked(ctx context.Context, dest string) (uint64, error) {
	var seq int64
	err := s.rdb.QueryRowContext(ctx, `SELECT acked_seq FROM outbox WHERE dest = ?`, dest).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read ack for %s: %w", dest, classify(err))
	}
	return uint64(seq), nil
}

// SetAcked records that dest has stored every event up to seq. An ack never
// moves backwards and never passes the last appended event.
func (s *Store) SetAcked(ctx context.Context, dest string, seq uint64) error {
	return s.Write(ctx, func(tx *Tx) error {
		var last int64
		if err := tx.QueryRow(`SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name='events'), 0)`).Scan(&last); err != nil {
			return fmt.Errorf("store: ack: %w", classify(err))
		}
		if seq > uint64(last) {
			return fmt.Errorf("store: ack %d for %s is past the last event %d", seq, dest, last)
		}
		_, err := tx.Exec(`INSERT INTO outbox(dest, acked_seq, acked_ms) VALUES(?, ?, ?)
			ON CONFLICT(dest) DO UPDATE SET acked_seq = MAX(acked_seq, excluded.acked_seq), acked_ms = excluded.acked_ms`,
			dest, int64(seq), tx.Now().UnixMilli())
		if err != nil {
			return fmt.Errorf("store: ack: %w", err)
		}
		return nil
	})
}

// LastAckTime returns when dest last acknowledged anything (zero if never).
func (s *Store) LastAckTime(ctx context.Context, dest string) (time.Time, error) {
	var ms int64
	err := s.rdb.QueryRowContext(ctx, `SELECT acked_ms FROM outbox WHERE dest = ?`, dest).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && ms == 0) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: read ack time for %s: %w", dest, classify(err))
	}
	return time.UnixMilli(ms), nil
}

// Backlog returns how many events dest has not yet acknowledged.
func (s *Store) Backlog(ctx context.Context, dest string) (uint64, error) {
	last, err := s.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	acked, err := s.Acked(ctx, dest)
	if err != nil {
		return 0, err
	}
	return last - acked, nil
}

// PruneAcked deletes events that dest has acknowledged and that are older
// than before. View tables keep their counts; sequence numbers are never
// reused. It returns how many events were removed.
func (s *Store) PruneAcked(ctx context.Context, dest string, before time.Time) (int64, error) {
	var n int64
	err := s.Write(ctx, func(tx *Tx) error {
		r, err := tx.Exec(`DELETE FROM events WHERE seq <= COALESCE((SELECT acked_seq FROM outbox WHERE dest = ?), 0) AND wall_ms < ?`,
			dest, before.UnixMilli())
		if err != nil {
			return fmt.Errorf("store: prune: %w", err)
		}
		n, _ = r.RowsAffected()
		return nil
	})
	return n, err
}
