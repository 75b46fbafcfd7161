package hub

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/officina-digitale/officina/sync/wire"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Store is where the hub keeps devices, events and what flows down to the
// kiosks. SQLiteStore implements it; a PostgreSQL store can implement the
// same methods later.
type Store interface {
	AddEnrolCode(ctx context.Context, code, site string, expires time.Time) error
	// Enrol redeems code (once, before it expires) and registers dev at the
	// code's site. Re-enrolling the same key with a new code keeps its
	// events and acknowledgement.
	Enrol(ctx context.Context, code string, dev Device, now time.Time) (Device, error)
	Device(ctx context.Context, id string) (Device, error)
	// Authorize records a request's counter, refusing (wire.ErrReplayed) one
	// not above the last seen, and the kiosk's reported state.
	Authorize(ctx context.Context, id string, counter uint64, c Contact) error
	// Ingest stores a contiguous run of a device's events, ignoring those it
	// already has, and returns the highest contiguous seq stored. A run that
	// starts past acked+1 is refused with a *GapError.
	Ingest(ctx context.Context, device string, events []wire.Event, offsetMS int64, now time.Time) (uint64, error)
	Devices(ctx context.Context) ([]Device, error)
	Revoke(ctx context.Context, id string, now time.Time) error
	AddNotice(ctx context.Context, n wire.Notice) (wire.Notice, error)
	Notices(ctx context.Context, site string) (wire.Notices, error)
	SetRoster(ctx context.Context, site string, staff []wire.StaffMember) (wire.Roster, error)
	Roster(ctx context.Context, site string) (wire.Roster, error)
	SetSiteConfig(ctx context.Context, site string, settings map[string]string) (wire.SiteConfig, error)
	SiteConfig(ctx context.Context, site string) (wire.SiteConfig, error)
	PublishContent(ctx context.Context, manifest []byte, now time.Time) (wire.Versioned, error)
	Content(ctx context.Context) (wire.Versioned, []byte, error)
	// StoredEvents yields every stored event in (device, seq) order, for
	// exports.
	StoredEvents(ctx context.Context, fn func(StoredEvent) error) error
	Close() error
}

// Device is an enrolled kiosk as the hub sees it.
type Device struct {
	ID          string
	PublicKey   []byte
	Site        string
	Name        string
	Enrolled    time.Time
	Revoked     time.Time // zero unless revoked
	Acked       uint64
	LastContact time.Time
	Contact
}

// Contact is what a kiosk reports with every request.
type Contact struct {
	At          time.Time
	Backlog     uint64
	Version     string
	ClockOffset time.Duration // hub time minus kiosk time
	ClockSynced bool
	Trouble     string
}

// StoredEvent is an event at the hub, with its corrected time.
type StoredEvent struct {
	DeviceID string
	wire.Event
	Corrected time.Time
	Received  time.Time
}

// GapError answers an upload that starts after a sequence number the hub
// lacks.
type GapError struct{ ResendFrom uint64 }

func (e *GapError) Error() string {
	return fmt.Sprintf("hub: events missing, resend from %d", e.ResendFrom)
}
func (e *GapError) Is(target error) bool { return target == wire.ErrGap }

// Errors of the store.
var (
	ErrNoDevice = errors.New("hub: no such device")
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// SQLiteStore is the hub's default store: one SQLite file in WAL mode with
// synchronous=FULL, so an acknowledged event survives a power cut. Writes
// go through one connection.
type SQLiteStore struct {
	wdb *sql.DB
	rdb *sql.DB
	mu  sync.Mutex
}

var _ Store = (*SQLiteStore)(nil)

// OpenSQLite opens (creating) the hub database at path.
func OpenSQLite(ctx context.Context, path string) (*SQLiteStore, error) {
	return OpenSQLiteWith(ctx, path, SQLiteOptions{})
}

// SQLiteOptions tune OpenSQLiteWith.
type SQLiteOptions struct {
	// MaxPageCount, when non-zero, caps the database size in pages: tests
	// use it to fill the disk.
	MaxPageCount int
}

// OpenSQLiteWith opens the hub database with options.
func OpenSQLiteWith(ctx context.Context, path string, o SQLiteOptions) (*SQLiteStore, error) {
	dsn := "file:" + filepath.ToSlash(path) + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
	if o.MaxPageCount > 0 {
		dsn += fmt.Sprintf("&_pragma=max_page_count(%d)", o.MaxPageCount)
	}
	wdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("hub: open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	if err := migrate(ctx, wdb); err != nil {
		wdb.Close()
		return nil, err
	}
	rdb, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("hub: open %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(4)
	return &SQLiteStore{wdb: wdb, rdb: rdb}, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("hub: migrate: %w", err)
	}
	var have int
	_ = db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have)
	names, err := fs.Glob(migrationsFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	if have > len(names) {
		return fmt.Errorf("hub: database schema %d is newer than this officina-hub knows (%d)", have, len(names))
	}
	for i := have; i < len(names); i++ {
		b, err := migrationsFS.ReadFile(names[i])
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("hub: migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, string(b)); err != nil {
			tx.Rollback()
			return fmt.Errorf("hub: migrate %s: %w", names[i], err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version VALUES (?)`, i+1); err != nil {
			tx.Rollback()
			return fmt.Errorf("hub: migrate: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("hub: migrate: %w", err)
		}
	}
	return nil
}

func (s *SQLiteStore) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("hub: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("hub: commit: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *SQLiteStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.rdb.Close(), s.wdb.Close())
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}

func (s *SQLiteStore) AddEnrolCode(ctx context.Context, code, site string, expires time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO sites(id) VALUES (?)`, site); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO enrol_codes(code, site, expires_ms) VALUES (?, ?, ?)`, code, site, ms(expires))
		if err != nil {
			return fmt.Errorf("hub: add enrolment code: %w", err)
		}
		return nil
	})
}

func (s *SQLiteStore) Enrol(ctx context.Context, code string, dev Device, now time.Time) (Device, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var site string
		var expires int64
		var used sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT site, expires_ms, used_by FROM enrol_codes WHERE code = ?`, code).Scan(&site, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (used.Valid || now.UnixMilli() >= expires)) {
			return wire.ErrBadCode
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE enrol_codes SET used_by = ? WHERE code = ?`, dev.ID, code); err != nil {
			return err
		}
		dev.Site, dev.Enrolled = site, now
		_, err = tx.ExecContext(ctx, `INSERT INTO devices(id, public_key, site, name, enrolled_ms) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET site = excluded.site, name = excluded.name, revoked_ms = NULL`,
			dev.ID, dev.PublicKey, site, dev.Name, ms(now))
		return err
	})
	if err != nil {
		if errors.Is(err, wire.ErrBadCode) {
			return Device{}, err
		}
		return Device{}, fmt.Errorf("hub: enrol: %w", err)
	}
	return s.Device(ctx, dev.ID)
}

const deviceCols = `id, public_key, site, name, enrolled_ms, revoked_ms, acked, last_contact_ms, backlog, version, clock_offset_ms, clock_synced, trouble`

func scanDevice(row interface{ Scan(...any) error }) (Device, error) {
	var d Device
	var enrolled int64
	var revoked, contact sql.NullInt64
	var offset int64
	var synced int
	err := row.Scan(&d.ID, &d.PublicKey, &d.Site, &d.Name, &enrolled, &revoked, &d.Acked, &contact, &d.Backlog, &d.Version, &offset, &synced, &d.Trouble)
	d.Enrolled, d.Revoked, d.LastContact = time.UnixMilli(enrolled), fromMS(revoked), fromMS(contact)
	d.At = d.LastContact
	d.ClockOffset, d.ClockSynced = time.Duration(offset)*time.Millisecond, synced == 1
	return d, err
}

func (s *SQLiteStore) Device(ctx context.Context, id string) (Device, error) {
	d, err := scanDevice(s.rdb.QueryRowContext(ctx, `SELECT `+deviceCols+` FROM devices WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, ErrNoDevice
	}
	if err != nil {
		return Device{}, fmt.Errorf("hub: device %s: %w", id, err)
	}
	return d, nil
}

func (s *SQLiteStore) Devices(ctx context.Context) ([]Device, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+deviceCols+` FROM devices ORDER BY site, name, id`)
	if err != nil {
		return nil, fmt.Errorf("hub: devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("hub: devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *SQLiteStore) Authorize(ctx context.Context, id string, counter uint64, c Contact) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE devices SET counter = ?, last_contact_ms = ?, backlog = ?, version = ?,
			clock_offset_ms = ?, clock_synced = ?, trouble = ? WHERE id = ? AND counter < ?`,
			int64(counter), ms(c.At), int64(c.Backlog), c.Version, c.ClockOffset.Milliseconds(), boolInt(c.ClockSynced), c.Trouble, id, int64(counter))
		if err != nil {
			return fmt.Errorf("hub: authorize: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return wire.ErrReplayed
		}
		return nil
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *SQLiteStore) Ingest(ctx context.Context, device string, events []wire.Event, offsetMS int64, now time.Time) (uint64, error) {
	var acked uint64
	err := s.write(ctx, func(tx *sql.Tx) error {
		var a, num int64
		if err := tx.QueryRowContext(ctx, `SELECT acked, num FROM devices WHERE id = ?`, device).Scan(&a, &num); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNoDevice
			}
			return err
		}
		acked = uint64(a)
		if len(events) == 0 {
			return nil
		}
		if events[0].Seq > acked+1 {
			return &GapError{ResendFrom: acked + 1}
		}
		if last := events[len(events)-1].Seq; last <= acked {
			return nil // all already stored
		}
		todo := events
		for len(todo) > 0 && todo[0].Seq <= acked {
			todo = todo[1:]
		}
		recv := ms(now)
		var st *sql.Stmt // prepared for full chunks
		defer func() {
			if st != nil {
				st.Close()
			}
		}()
		args := make([]any, 0, insertChunk*9)
		for len(todo) > 0 {
			chunk := todo[:min(insertChunk, len(todo))]
			todo = todo[len(chunk):]
			args = args[:0]
			for _, e := range chunk {
				corrected := e.WallMS
				if !e.ClockSynced {
					corrected += offsetMS
				}
				args = append(args, num, int64(e.Seq), e.Kind, e.Version, e.WallMS, boolInt(e.ClockSynced), corrected, recv, e.Payload)
			}
			var err error
			if len(chunk) == insertChunk {
				if st == nil {
					if st, err = tx.PrepareContext(ctx, insertSQL(insertChunk)); err != nil {
						return err
					}
				}
				_, err = st.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insertSQL(len(chunk)), args...)
			}
			if err != nil {
				return err
			}
		}
		acked = events[len(events)-1].Seq
		_, err := tx.ExecContext(ctx, `UPDATE devices SET acked = ? WHERE num = ?`, int64(acked), num)
		return err
	})
	var gap *GapError
	if err != nil && !errors.As(err, &gap) && !errors.Is(err, ErrNoDevice) {
		err = fmt.Errorf("hub: ingest %s: %w", device, err)
	}
	return acked, err
}

// insertChunk is how many events one INSERT statement carries: far fewer
// round trips through database/sql than one statement per event.
const insertChunk = 200

func insertSQL(rows int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT OR IGNORE INTO events(device, seq, kind, version, wall_ms, clock_synced, corrected_ms, received_ms, payload) VALUES `)
	for i := 0; i < rows; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(?,?,?,?,?,?,?,?,?)")
	}
	return sb.String()
}

func (s *SQLiteStore) Revoke(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE devices SET revoked_ms = ? WHERE id = ?`, ms(now), id)
		if err != nil {
			return fmt.Errorf("hub: revoke: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return ErrNoDevice
		}
		return nil
	})
}

// bumpVersion increments and returns a named version counter in meta.
func bumpVersion(ctx context.Context, tx *sql.Tx, key string) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `INSERT INTO meta(key, value) VALUES (?, 1)
		ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value`, key).Scan(&v)
	return v, err
}

func (s *SQLiteStore) AddNotice(ctx context.Context, n wire.Notice) (wire.Notice, error) {
	if strings.TrimSpace(n.Text) == "" {
		return n, errors.New("hub: a notice needs text")
	}
	if !n.Until.After(n.From) {
		return n, errors.New("hub: a notice must end after it starts")
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO notices(site, text, from_ms, until_ms) VALUES (?, ?, ?, ?)`, n.Site, n.Text, ms(n.From), ms(n.Until))
		if err != nil {
			return err
		}
		n.ID, _ = r.LastInsertId()
		_, err = bumpVersion(ctx, tx, "notices")
		return err
	})
	if err != nil {
		return n, fmt.Errorf("hub: add notice: %w", err)
	}
	return n, nil
}

func (s *SQLiteStore) Notices(ctx context.Context, site string) (wire.Notices, error) {
	out := wire.Notices{Items: []wire.Notice{}}
	_ = s.rdb.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'notices'`).Scan(&out.Version)
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, site, text, from_ms, until_ms FROM notices WHERE site = '' OR site = ? ORDER BY id`, site)
	if err != nil {
		return out, fmt.Errorf("hub: notices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n wire.Notice
		var from, until int64
		if err := rows.Scan(&n.ID, &n.Site, &n.Text, &from, &until); err != nil {
			return out, err
		}
		n.From, n.Until = time.UnixMilli(from).UTC(), time.UnixMilli(until).UTC()
		out.Items = append(out.Items, n)
	}
	return out, rows.Err()
}

func (s *SQLiteStore) setVersioned(ctx context.Context, table, site string, body []byte) (int64, error) {
	var v int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO `+table+`(site, version, body) VALUES (?, 1, ?)
			ON CONFLICT(site) DO UPDATE SET version = version + 1, body = excluded.body RETURNING version`, site, body).Scan(&v)
	})
	return v, err
}

func (s *SQLiteStore) getVersioned(ctx context.Context, table, site string) (int64, []byte, error) {
	var v int64
	var body []byte
	err := s.rdb.QueryRowContext(ctx, `SELECT version, body FROM `+table+` WHERE site = ?`, site).Scan(&v, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	return v, body, err
}

func (s *SQLiteStore) SetRoster(ctx context.Context, site string, staff []wire.StaffMember) (wire.Roster, error) {
	for _, m := range staff {
		if m.Card == "" || m.PINHash == "" {
			return wire.Roster{}, errors.New("hub: every staff member needs a card and a PIN hash")
		}
	}
	body, _ := json.Marshal(staff)
	v, err := s.setVersioned(ctx, "rosters", site, body)
	if err != nil {
		return wire.Roster{}, fmt.Errorf("hub: set roster: %w", err)
	}
	return wire.Roster{Version: v, Staff: staff}, nil
}

func (s *SQLiteStore) Roster(ctx context.Context, site string) (wire.Roster, error) {
	v, body, err := s.getVersioned(ctx, "rosters", site)
	r := wire.Roster{Version: v, Staff: []wire.StaffMember{}}
	if err != nil {
		return r, fmt.Errorf("hub: roster: %w", err)
	}
	if body != nil {
		if err := json.Unmarshal(body, &r.Staff); err != nil {
			return r, fmt.Errorf("hub: roster: %w", err)
		}
	}
	return r, nil
}

func (s *SQLiteStore) SetSiteConfig(ctx context.Context, site string, settings map[string]string) (wire.SiteConfig, error) {
	body, _ := json.Marshal(settings)
	v, err := s.setVersioned(ctx, "site_config", site, body)
	if err != nil {
		return wire.SiteConfig{}, fmt.Errorf("hub: set site config: %w", err)
	}
	return wire.SiteConfig{Version: v, Settings: settings}, nil
}

func (s *SQLiteStore) SiteConfig(ctx context.Context, site string) (wire.SiteConfig, error) {
	v, body, err := s.getVersioned(ctx, "site_config", site)
	c := wire.SiteConfig{Version: v}
	if err != nil {
		return c, fmt.Errorf("hub: site config: %w", err)
	}
	if body != nil {
		if err := json.Unmarshal(body, &c.Settings); err != nil {
			return c, fmt.Errorf("hub: site config: %w", err)
		}
	}
	return c, nil
}

func (s *SQLiteStore) PublishContent(ctx context.Context, manifest []byte, now time.Time) (wire.Versioned, error) {
	sum := sha256.Sum256(manifest)
	v := wire.Versioned{SHA256: hex.EncodeToString(sum[:])}
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO content(version, sha256, manifest, published_ms)
			VALUES ((SELECT COALESCE(MAX(version), 0) + 1 FROM content), ?, ?, ?) RETURNING version`, v.SHA256, manifest, ms(now)).Scan(&v.Version)
	})
	if err != nil {
		return v, fmt.Errorf("hub: publish content: %w", err)
	}
	return v, nil
}

func (s *SQLiteStore) Content(ctx context.Context) (wire.Versioned, []byte, error) {
	var v wire.Versioned
	var m []byte
	err := s.rdb.QueryRowContext(ctx, `SELECT version, sha256, manifest FROM content ORDER BY version DESC LIMIT 1`).Scan(&v.Version, &v.SHA256, &m)
	if errors.Is(err, sql.ErrNoRows) {
		return v, nil, nil
	}
	if err != nil {
		return v, nil, fmt.Errorf("hub: content: %w", err)
	}
	return v, m, nil
}

func (s *SQLiteStore) StoredEvents(ctx context.Context, fn func(StoredEvent) error) error {
	var dev, seq int64
	for {
		rows, err := s.rdb.QueryContext(ctx, `SELECT d.id, e.device, e.seq, e.kind, e.version, e.wall_ms, e.clock_synced, e.corrected_ms, e.received_ms, e.payload
			FROM events e JOIN devices d ON d.num = e.device WHERE (e.device, e.seq) > (?, ?) ORDER BY e.device, e.seq LIMIT 1000`, dev, seq)
		if err != nil {
			return fmt.Errorf("hub: read events: %w", err)
		}
		var batch []StoredEvent
		for rows.Next() {
			var e StoredEvent
			var s64, corr, recv int64
			var synced int
			if err := rows.Scan(&e.DeviceID, &dev, &s64, &e.Kind, &e.Version, &e.WallMS, &synced, &corr, &recv, &e.Payload); err != nil {
				rows.Close()
				return err
			}
			e.Seq, e.ClockSynced, e.Corrected, e.Received = uint64(s64), synced == 1, time.UnixMilli(corr), time.UnixMilli(recv)
			batch = append(batch, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(batch) < 1000 {
			return nil
		}
		seq = int64(batch[len(batch)-1].Seq)
	}
}

// EventCount returns how many events are stored for device ("" for all).
func (s *SQLiteStore) EventCount(ctx context.Context, device string) (int64, error) {
	var n int64
	q, args := `SELECT COUNT(*) FROM events`, []any{}
	if device != "" {
		q, args = q+` WHERE device = (SELECT num FROM devices WHERE id = ?)`, []any{device}
	}
	err := s.rdb.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}
