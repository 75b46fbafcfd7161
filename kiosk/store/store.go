// Package store is the kiosk's durable local database: SQLite (through the
// pure-Go modernc.org/sqlite driver) holding an append-only event log, the
// materialised view tables that the events feed, and the upload state of the
// sync outbox.
//
// # Durability
//
// The database runs in WAL mode with synchronous=FULL: when Write returns
// nil, the transaction's WAL frames have been fsynced, so the event survives
// a power cut. A crash mid-transaction leaves the whole transaction or
// nothing.
//
// # One writer
//
// All writes go through one dedicated connection guarded by a mutex, so two
// writers never race for SQLite's write lock and a write never fails with
// SQLITE_BUSY. Reads use a separate pool of read-only connections, which WAL
// lets run alongside the writer. The writer keeps the statements run through
// a Tx prepared (up to 256 distinct query texts), so a small transaction
// does not pay for parsing its SQL again each time.
//
// # Schemas
//
// Each package that owns tables hands its Schema (a name and an ordered list
// of migrations) to Open. Open applies the missing migrations of each schema
// and refuses a database whose schema is newer than this binary knows.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors that callers can test with errors.Is.
var (
	// ErrDiskFull means the disk (or the database's size limit) is full. The
	// write was rolled back; nothing earlier was lost.
	ErrDiskFull = errors.New("store: disk full")
	// ErrCorrupt means SQLite found the database file damaged.
	ErrCorrupt = errors.New("store: database file is corrupt")
	// ErrNewerSchema means the database was written by a newer Officina.
	ErrNewerSchema = errors.New("store: database is from a newer version of officina")
	// ErrReadOnly means the store was opened read-only or has been switched
	// to read-only after a fatal write error.
	ErrReadOnly = errors.New("store: read-only")
	// ErrClosed means the store has been closed.
	ErrClosed = errors.New("store: closed")
)

// Options tune Open. The zero value is the production default.
type Options struct {
	// Clock stamps events; clock.System by default.
	Clock clock.Clock
	// Logger receives notices such as a corrupt file moved aside.
	Logger *slog.Logger
	// Schemas are the domain packages' tables, applied after the store's own.
	Schemas []Schema
	// MaxPageCount, when non-zero, caps the database size in pages. Tests use
	// it to provoke a full disk.
	MaxPageCount int
	// Synchronous overrides the synchronous pragma ("FULL" by default).
	// Only benchmarks comparing modes should change it.
	Synchronous string
}

// Store is an open kiosk database.
type Store struct {
	path   string
	clock  clock.Clock
	log    *slog.Logger
	wdb    *sql.DB // exactly one connection; all writes
	rdb    *sql.DB // read-only pool
	device string

	mu     sync.Mutex // serialises writers; held for a whole transaction
	closed bool
	stmts  map[string]*sql.Stmt // the writer's prepared statements, by query; under mu

	recovered string // path a corrupt file was moved to at open, if any

	health atomic.Pointer[writeHealth]
}

type writeHealth struct {
	err error
	at  time.Time
}

// Open opens (creating if needed) the database at path, applies migrations
// and returns the store. If the file exists but is not a readable SQLite
// database, it is moved aside to path.corrupt-<timestamp>, a fresh database
// is created and Recovered reports where the old file went.
//
// deviceID is stamped on events read back from the log; it is the kiosk's
// identity from package identity.
func Open(ctx context.Context, path, deviceID string, opts Options) (*Store, error) {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	s, err := open(ctx, path, deviceID, opts)
	if err == nil || !errors.Is(err, ErrCorrupt) {
		return s, err
	}
	aside, mvErr := moveAside(path, opts.Clock.Now())
	if mvErr != nil {
		return nil, fmt.Errorf("%w; moving it aside failed: %v", err, mvErr)
	}
	opts.Logger.Error("database file was corrupt: moved it aside and started a fresh one",
		"path", path, "moved_to", aside, "cause", err)
	s, err = open(ctx, path, deviceID, opts)
	if err != nil {
		return nil, err
	}
	s.recovered = aside
	return s, nil
}

func open(ctx context.Context, path, deviceID string, opts Options) (*Store, error) {
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	pragmas := fmt.Sprintf("_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(%s)", opts.Synchronous)
	if opts.MaxPageCount > 0 {
		pragmas += fmt.Sprintf("&_pragma=max_page_count(%d)", opts.MaxPageCount)
	}
	wdb, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	s := &Store{path: path, clock: opts.Clock, log: opts.Logger, wdb: wdb, device: deviceID, stmts: map[string]*sql.Stmt{}}
	if err := s.migrate(ctx, append([]Schema{coreSchema}, opts.Schemas...)); err != nil {
		wdb.Close()
		return nil, err
	}
	rdb, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)&mode=ro")
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: open %s for reading: %w", path, err)
	}
	rdb.SetMaxOpenConns(4)
	s.rdb = rdb
	return s, nil
}

// checkHeader rejects a file that exists but does not start with SQLite's
// magic string. SQLite itself would only notice at the first query.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer f.Close()
	hdr := make([]byte, 16)
	n, _ := f.Read(hdr)
	if n == 0 {
		return nil // empty file: SQLite treats it as a new database
	}
	if n < 16 || string(hdr) != "SQLite format 3\x00" {
		return fmt.Errorf("%w: %s does not start with the SQLite header", ErrCorrupt, path)
	}
	return nil
}

// moveAside renames the database and its WAL and shared-memory files to
// <name>.corrupt-<UTC timestamp>, never deleting anything.
func moveAside(path string, now time.Time) (string, error) {
	aside := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); err == nil {
			if err := os.Rename(path+suffix, aside+suffix); err != nil {
				return aside, err
			}
		}
	}
	return aside, nil
}

// WriteHealth returns the error of the last write if it failed because the
// disk is full or the file is damaged, and when that was; nil once a later
// write succeeds. The kiosk shows content read-only while it is set.
func (s *Store) WriteHealth() (error, time.Time) {
	h := s.health.Load()
	if h == nil {
		return nil, time.Time{}
	}
	return h.err, h.at
}

func (s *Store) noteWrite(err error) {
	switch {
	case err == nil:
		if s.health.Load() != nil {
			s.health.Store(nil)
		}
	case errors.Is(err, ErrDiskFull), errors.Is(err, ErrCorrupt), errors.Is(err, ErrReadOnly):
		s.health.Store(&writeHealth{err: err, at: s.clock.Now()})
	}
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// DeviceID returns the device id stamped on this store's events.
func (s *Store) DeviceID() string { return s.device }

// Recovered returns the path a corrupt database was moved to when this store
// was opened, or "" if the file was healthy.
func (s *Store) Recovered() string { return s.recovered }

// Clock returns the clock that stamps events.
func (s *Store) Clock() clock.Clock { return s.clock }

// DB returns the read-only connection pool, for views and reports. Writing
// through it fails.
func (s *Store) DB() *sql.DB { return s.rdb }

// Close waits for the write in flight, if any, then closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	for _, st := range s.stmts {
		st.Close()
	}
	// A passive checkpoint keeps the WAL short across restarts.
	if _, err := s.wdb.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		errs = append(errs, classify(err))
	}
	errs = append(errs, s.wdb.Close())
	return errors.Join(errs...)
}

// classify maps SQLite result codes onto the package's sentinel errors,
// keeping the original error in the chain.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%w: %v", ErrDiskFull, err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("%w: %v", ErrReadOnly, err)
		}
	}
	return err
}
